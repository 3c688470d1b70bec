/**
 * {@code ./meshpulse bench loop}: decision quality of meshpulse against Envoy's outlier detection.
 */
@NullMarked
package io.meshpulse.bench.loop;

import org.jspecify.annotations.NullMarked;
