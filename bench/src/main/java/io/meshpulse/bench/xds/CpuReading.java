package io.meshpulse.bench.xds;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of this JVM at one instant: the process (GC and JIT included) and each live thread. The
 * control plane's share is every thread except the simulated clients' event loops, the benchmark's
 * own thread, its HTTP client and the intake's producer (the embedded broker is counted with the
 * control plane).
 */
record CpuReading(long processNanos, Map<Long, Long> threadNanos, Map<Long, String> names) {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  static CpuReading now() {
    Map<Long, Long> nanos = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null) {
        long cpu = THREADS.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          nanos.put(info.getThreadId(), cpu);
          names.put(info.getThreadId(), info.getThreadName());
        }
      }
    }
    return new CpuReading(OS.getProcessCpuTime(), nanos, names);
  }

  static boolean clientSide(String thread) {
    return thread.startsWith(AdsFleet.THREAD_PREFIX)
        || thread.equals("main")
        || thread.startsWith("HttpClient")
        || thread.equals(IngestRun.THREAD)
        || thread.equals("kafka-producer-network-thread | " + IngestRun.THREAD);
  }

  /** Process CPU nanoseconds since {@code from}. */
  long processSince(CpuReading from) {
    return processNanos - from.processNanos;
  }

  /** CPU nanoseconds since {@code from} of the threads that are not client-side. */
  long controlPlaneSince(CpuReading from) {
    long total = 0;
    for (Map.Entry<Long, Long> e : threadNanos.entrySet()) {
      if (!clientSide(names.get(e.getKey()))) {
        total += e.getValue() - from.threadNanos.getOrDefault(e.getKey(), 0L);
      }
    }
    return total;
  }

  /** CPU nanoseconds since {@code from} per thread-name group (digits folded). */
  Map<String, Long> groupsSince(CpuReading from) {
    Map<String, Long> groups = new HashMap<>();
    threadNanos.forEach(
        (id, cpu) ->
            groups.merge(
                names.get(id).replaceAll("[0-9]+", "N"),
                cpu - from.threadNanos.getOrDefault(id, 0L),
                Long::sum));
    return groups;
  }
}
