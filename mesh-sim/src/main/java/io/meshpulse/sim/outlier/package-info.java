/** meshpulse simulator: Envoy's outlier detection, the baseline the simulated proxies can run. */
@NullMarked
package io.meshpulse.sim.outlier;

import org.jspecify.annotations.NullMarked;
