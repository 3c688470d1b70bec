/**
 * Progressive rollouts kept on their compacted Kafka topic ({@code mesh.rollouts.v1}), so that a
 * restarted xds-control takes them back where they were.
 */
@NullMarked
package io.meshpulse.xds.rolloutstore;

import org.jspecify.annotations.NullMarked;
