package io.meshpulse.bench.stream;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.regex.Pattern;

/**
 * CPU time of the JVM's threads, split into the Flink job's threads (task threads such as {@code
 * endpoint windows (1/2)#0}, the Kafka source's fetchers, the sink's producers and checkpoint
 * threads) and everything else (mostly the embedded broker).
 */
final class CpuClock {
  private static final Pattern JOB_THREAD =
      Pattern.compile(
          ".*\\(\\d+/\\d+\\)#\\d+.*|Source Data Fetcher.*|kafka-producer-network-thread.*"
              + "|AsyncOperations.*|.*[Cc]heckpoint.*");

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** CPU nanoseconds: the job's threads, and the whole process. */
  record Reading(long jobNanos, long processNanos) {
    Reading minus(Reading start) {
      return new Reading(jobNanos - start.jobNanos, processNanos - start.processNanos);
    }
  }

  Reading read() {
    long job = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null || !JOB_THREAD.matcher(info.getThreadName()).matches()) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu > 0) {
        job += cpu;
      }
    }
    return new Reading(job, os.getProcessCpuTime());
  }
}
