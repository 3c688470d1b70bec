@NullMarked
package io.meshpulse.xds.server;

import org.jspecify.annotations.NullMarked;
