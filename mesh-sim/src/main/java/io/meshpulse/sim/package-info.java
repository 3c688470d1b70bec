/** meshpulse simulator. */
@NullMarked
package io.meshpulse.sim;

import org.jspecify.annotations.NullMarked;
