/** JUnit helpers shared by meshpulse's tests. */
@NullMarked
package io.meshpulse.testing;

import org.jspecify.annotations.NullMarked;
