/** meshpulse's benchmarks and the harness that records their results in docs/benchmarks.md. */
@NullMarked
package io.meshpulse.bench;

import org.jspecify.annotations.NullMarked;
