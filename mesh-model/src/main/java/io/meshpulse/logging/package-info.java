/** Logging helpers shared by meshpulse's services. */
@NullMarked
package io.meshpulse.logging;

import org.jspecify.annotations.NullMarked;
