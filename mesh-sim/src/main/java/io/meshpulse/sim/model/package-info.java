/** meshpulse simulator: model. */
@NullMarked
package io.meshpulse.sim.model;

import org.jspecify.annotations.NullMarked;
