@NullMarked
package io.meshpulse.xds.decision;

import org.jspecify.annotations.NullMarked;
