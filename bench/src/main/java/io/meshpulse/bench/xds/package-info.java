/**
 * {@code ./meshpulse bench xds}: one cluster's weight change pushed by xds-control to N simulated
 * Envoy ADS streams, timed until every stream has ACKed it.
 */
@NullMarked
package io.meshpulse.bench.xds;

import org.jspecify.annotations.NullMarked;
