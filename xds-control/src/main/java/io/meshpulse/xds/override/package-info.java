/**
 * Operator overrides kept on the compacted overrides topic: the record mapping (pure), the writer
 * that stores each change, and the reader a starting xds-control restores them from.
 */
@NullMarked
package io.meshpulse.xds.override;

import org.jspecify.annotations.NullMarked;
