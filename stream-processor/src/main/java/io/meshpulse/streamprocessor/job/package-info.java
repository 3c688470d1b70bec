/** The Flink health job: options, topology, operators and metrics. */
@NullMarked
package io.meshpulse.streamprocessor.job;

import org.jspecify.annotations.NullMarked;
