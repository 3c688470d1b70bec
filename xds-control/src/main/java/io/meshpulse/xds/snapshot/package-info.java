@NullMarked
package io.meshpulse.xds.snapshot;

import org.jspecify.annotations.NullMarked;
