@NullMarked
package io.meshpulse.xds;

import org.jspecify.annotations.NullMarked;
