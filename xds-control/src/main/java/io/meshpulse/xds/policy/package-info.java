@NullMarked
package io.meshpulse.xds.policy;

import org.jspecify.annotations.NullMarked;
