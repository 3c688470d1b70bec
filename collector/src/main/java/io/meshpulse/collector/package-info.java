/** Envoy ALS v3 + MetricsService v3 collector: the Spring Boot application and its wiring. */
@NullMarked
package io.meshpulse.collector;

import org.jspecify.annotations.NullMarked;
