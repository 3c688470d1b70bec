/** Istio-standard metrics derived from the access records, and the collector's own metrics. */
@NullMarked
package io.meshpulse.collector.metrics;

import org.jspecify.annotations.NullMarked;
