package io.meshpulse.bench.collector;

import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The raw protobuf decode rate of the same ALS messages, on one thread of this JVM: {@code
 * StreamAccessLogsMessage.parseFrom(bytes)} and nothing else, in entries per wall second and per
 * CPU second of that thread.
 */
final class DecodeRate {
  record Result(long entries, double wallSeconds, double cpuSeconds) {
    double entriesPerSecond() {
      return entries / wallSeconds;
    }

    double perCore() {
      return entries / cpuSeconds;
    }
  }

  private final byte[][] bytes;

  DecodeRate(List<StreamAccessLogsMessage> batches) {
    bytes = new byte[batches.size()][];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = batches.get(i).toByteArray();
    }
  }

  /** Decodes for {@code seconds}, unmeasured. */
  void warmUp(double seconds) throws Exception {
    loop(bytes, seconds);
  }

  /** One measurement of {@code seconds}. */
  Result round(double seconds) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu0 = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long entries = loop(bytes, seconds);
    long end = System.nanoTime();
    long cpu1 = threads.getCurrentThreadCpuTime();
    return new Result(entries, (end - start) / 1e9, (cpu1 - cpu0) / 1e9);
  }

  private static long loop(byte[][] bytes, double seconds) throws Exception {
    long until = System.nanoTime() + (long) (seconds * 1e9);
    long entries = 0;
    int i = 0;
    while (System.nanoTime() < until) {
      for (int n = 0; n < 16; n++) {
        StreamAccessLogsMessage message = StreamAccessLogsMessage.parseFrom(bytes[i]);
        entries += message.getHttpLogs().getLogEntryCount();
        i = (i + 1) % bytes.length;
      }
    }
    return entries;
  }
}
