@NullMarked
package io.meshpulse.xds.control;

import org.jspecify.annotations.NullMarked;
