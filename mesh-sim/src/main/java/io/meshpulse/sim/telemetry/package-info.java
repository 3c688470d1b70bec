/** meshpulse simulator: telemetry. */
@NullMarked
package io.meshpulse.sim.telemetry;

import org.jspecify.annotations.NullMarked;
