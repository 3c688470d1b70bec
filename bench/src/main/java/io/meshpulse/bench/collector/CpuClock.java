package io.meshpulse.bench.collector;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time used by this JVM: the whole process (every thread, GC and JIT included, so the
 * in-process broker and client too) and the Java threads whose names match a predicate (the
 * collector's own threads). Threads that end between two readings lose their time in the second
 * figure, never in the first.
 */
final class CpuClock {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** A reading: process CPU nanoseconds and the CPU nanoseconds of each live thread by id. */
  record Reading(long processNanos, Map<Long, Long> threadNanos, Map<Long, String> names) {}

  private CpuClock() {}

  static Reading read() {
    Map<Long, Long> nanos = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = THREADS.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) {
        nanos.put(info.getThreadId(), cpu);
        names.put(info.getThreadId(), info.getThreadName());
      }
    }
    return new Reading(OS.getProcessCpuTime(), nanos, names);
  }

  /** Process CPU seconds between two readings. */
  static double processSeconds(Reading from, Reading to) {
    return (to.processNanos() - from.processNanos()) / 1e9;
  }

  /** CPU seconds, between two readings, of the threads whose names match {@code threads}. */
  static double threadSeconds(Reading from, Reading to, Predicate<String> threads) {
    long total = 0;
    for (Map.Entry<Long, Long> entry : to.threadNanos().entrySet()) {
      if (threads.test(to.names().get(entry.getKey()))) {
        total += entry.getValue() - from.threadNanos().getOrDefault(entry.getKey(), 0L);
      }
    }
    return total / 1e9;
  }

  /** CPU seconds per thread-name group (digits folded), largest first, as "name 1.2s" text. */
  static String topThreads(Reading from, Reading to, int limit) {
    Map<String, Long> groups = new HashMap<>();
    for (Map.Entry<Long, Long> entry : to.threadNanos().entrySet()) {
      String group = to.names().get(entry.getKey()).replaceAll("[0-9]+", "N");
      groups.merge(
          group, entry.getValue() - from.threadNanos().getOrDefault(entry.getKey(), 0L), Long::sum);
    }
    StringBuilder text = new StringBuilder();
    groups.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(limit)
        .forEach(e -> text.append(String.format("%s %.1fs; ", e.getKey(), e.getValue() / 1e9)));
    return text.toString();
  }
}
