/** meshpulse simulator: scenario. */
@NullMarked
package io.meshpulse.sim.scenario;

import org.jspecify.annotations.NullMarked;
