/** Alert-driven traffic shifts: which alert shifts which route, and how far, step by step. */
@NullMarked
package io.meshpulse.xds.shift;

import org.jspecify.annotations.NullMarked;
