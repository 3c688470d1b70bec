/** {@code ./meshpulse bench stream}: the Flink health job's throughput, delay and state size. */
@NullMarked
package io.meshpulse.bench.stream;

import org.jspecify.annotations.NullMarked;
