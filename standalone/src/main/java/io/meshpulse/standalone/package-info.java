/** The whole platform in one process, for one machine: the demo and the standalone mode. */
@NullMarked
package io.meshpulse.standalone;

import org.jspecify.annotations.NullMarked;
