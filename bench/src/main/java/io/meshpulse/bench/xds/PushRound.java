package io.meshpulse.bench.xds;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What one weight change cost: every stream's trigger → ACK delay, the streams that never ACKed,
 * EDS responses per stream, CPU and the server's own push time.
 */
record PushRound(
    long[] ackMicros,
    int missing,
    int maxEdsResponses,
    long controlPlaneCpuNanos,
    long processCpuNanos,
    long serverPushNanos,
    Map<String, Long> cpuGroups) {

  /** The time until the last stream ACKed, in microseconds. */
  long allAckedMicros() {
    return Arrays.stream(ackMicros).max().orElse(0);
  }

  /** Sums CPU groups over rounds. */
  static Map<String, Long> mergeGroups(Iterable<PushRound> rounds) {
    Map<String, Long> all = new HashMap<>();
    rounds.forEach(r -> r.cpuGroups().forEach((k, v) -> all.merge(k, v, Long::sum)));
    return all;
  }
}
