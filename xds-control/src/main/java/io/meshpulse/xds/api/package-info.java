@NullMarked
package io.meshpulse.xds.api;

import org.jspecify.annotations.NullMarked;
