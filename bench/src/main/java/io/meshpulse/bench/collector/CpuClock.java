package io.meshpulse.bench.collector;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time used by this JVM: the whole process (every thread, GC and JIT included, so the
 * in-process broker and client too) and the Java threads whose names match a predicate (the
 * collector's own threads), and the JVM's garbage collector threads (read from /proc, which sees
 * native threads too; 0 where there is no /proc). Threads that end between two readings lose their
 * time in the second figure, never in the first.
 */
final class CpuClock {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Linux's USER_HZ: /proc reports thread CPU time in these ticks. */
  private static final long TICKS_PER_SECOND = 100;

  /**
   * A reading: process CPU nanoseconds, the CPU nanoseconds of each live Java thread by id, and the
   * CPU nanoseconds of the garbage collector's threads together.
   */
  record Reading(
      long processNanos, Map<Long, Long> threadNanos, Map<Long, String> names, long gcNanos) {}

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
    return new Reading(OS.getProcessCpuTime(), nanos, names, gcNanos());
  }

  /** G1's threads: "GC Thread#N" (pauses), "G1 Conc#N", "G1 Refine#N", "G1 Main Marker", ... */
  static boolean gcThread(String name) {
    return name.startsWith("GC Thread") || name.startsWith("G1 ");
  }

  private static long gcNanos() {
    long ticks = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          if (gcThread(Files.readString(task.resolve("comm")).trim())) {
            ticks += cpuTicks(Files.readString(task.resolve("stat")));
          }
        } catch (java.io.IOException | RuntimeException e) {
          // The thread ended while being read: its time is lost to both readings alike.
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /**
   * utime + stime of a /proc/<pid>/task/<tid>/stat line (fields 14 and 15; comm may hold spaces).
   */
  static long cpuTicks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** CPU seconds of the garbage collector's threads between two readings. */
  static double gcSeconds(Reading from, Reading to) {
    return (to.gcNanos() - from.gcNanos()) / 1e9;
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
