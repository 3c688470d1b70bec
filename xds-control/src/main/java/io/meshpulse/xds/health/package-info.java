@NullMarked
package io.meshpulse.xds.health;

import org.jspecify.annotations.NullMarked;
