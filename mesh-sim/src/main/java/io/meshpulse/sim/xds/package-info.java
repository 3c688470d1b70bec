/** meshpulse simulator: xds. */
@NullMarked
package io.meshpulse.sim.xds;

import org.jspecify.annotations.NullMarked;
