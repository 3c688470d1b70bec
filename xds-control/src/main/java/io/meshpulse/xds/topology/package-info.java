@NullMarked
package io.meshpulse.xds.topology;

import org.jspecify.annotations.NullMarked;
