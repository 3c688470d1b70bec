package io.meshpulse.sim;

/**
 * Requests and errors to one endpoint in 100 ms bins from the start of the run, plus the last
 * complete second's rate, error rate and p99 for the live view. Thread-safe.
 */
final class EndpointStats {
  static final int BIN_MS = 100;
  private static final double BUCKET_RATIO = Math.log(1.02);
  private static final int BUCKETS = 800;

  final String service;
  final String subset;
  final String hostPort;
  private final long startEpochMs;
  private final Object lock = new Object();
  // guarded by lock
  private long[] requests;
  private long[] errors;
  private final int[] histogram = new int[BUCKETS];
  private long currentSecond = -1;
  private long currentRequests;
  private long currentErrors;
  private long lastSecond = -1;
  private long lastRequests;
  private long lastErrors;
  private double lastP99;

  EndpointStats(String service, String subset, String hostPort, long startEpochMs, int bins) {
    this.service = service;
    this.subset = subset;
    this.hostPort = hostPort;
    this.startEpochMs = startEpochMs;
    this.requests = new long[bins];
    this.errors = new long[bins];
  }

  void record(long epochMs, boolean error, double latencyMs) {
    int bin = (int) Math.max(0, (epochMs - startEpochMs) / BIN_MS);
    long second = Math.floorDiv(epochMs, 1000);
    synchronized (lock) {
      if (bin >= requests.length) {
        int n = Math.max(bin + 1, requests.length * 2);
        requests = java.util.Arrays.copyOf(requests, n);
        errors = java.util.Arrays.copyOf(errors, n);
      }
      requests[bin]++;
      if (error) {
        errors[bin]++;
      }
      if (second > currentSecond) {
        rollTo(second);
      } else if (second < currentSecond) {
        // A proxy thread that read its clock before another recorded a newer second: counted in
        // its own second, never rolling the live window back.
        if (second == lastSecond) {
          lastRequests++;
          lastErrors += error ? 1 : 0;
        }
        return;
      }
      currentRequests++;
      if (error) {
        currentErrors++;
      }
      int b =
          latencyMs <= 0.01
              ? 0
              : (int) Math.min(BUCKETS - 1, Math.log(latencyMs / 0.01) / BUCKET_RATIO);
      histogram[b]++;
    }
  }

  private void rollTo(long second) {
    if (currentSecond >= 0 && currentRequests > 0) {
      lastSecond = currentSecond;
      lastRequests = currentRequests;
      lastErrors = currentErrors;
      long target = (long) Math.ceil(currentRequests * 0.99);
      long seen = 0;
      for (int i = 0; i < BUCKETS; i++) {
        seen += histogram[i];
        if (seen >= target) {
          lastP99 = 0.01 * Math.exp((i + 1) * BUCKET_RATIO);
          break;
        }
      }
    }
    java.util.Arrays.fill(histogram, 0);
    currentSecond = second;
    currentRequests = 0;
    currentErrors = 0;
  }

  /**
   * {rps, errorRate, p99Ms} of the last complete second, zeros if it was not the previous second.
   */
  double[] lastSecond(long nowEpochMs) {
    long clockSecond = Math.floorDiv(nowEpochMs, 1000);
    synchronized (lock) {
      // A caller that read its clock before the proxies recorded a newer second: the data's
      // second is the present.
      long now = Math.max(clockSecond, currentSecond);
      if (currentSecond >= 0 && currentSecond < now) {
        rollTo(now);
      }
      if (lastSecond != now - 1 || lastRequests == 0) {
        return new double[] {0, 0, 0};
      }
      return new double[] {lastRequests, (double) lastErrors / lastRequests, lastP99};
    }
  }

  /** Sum of requests (or errors) over bins whose start lies in [fromMs, toMs) of run offset. */
  long sum(boolean ofErrors, long fromOffsetMs, long toOffsetMs) {
    synchronized (lock) {
      long[] a = ofErrors ? errors : requests;
      long s = 0;
      for (int i = 0; i < a.length; i++) {
        long binStart = (long) i * BIN_MS;
        if (binStart >= fromOffsetMs && binStart < toOffsetMs) {
          s += a[i];
        }
      }
      return s;
    }
  }

  /** Per-second totals for the first {@code seconds} seconds of the run. */
  long[] perSecond(boolean ofErrors, int seconds) {
    long[] out = new long[seconds];
    synchronized (lock) {
      long[] a = ofErrors ? errors : requests;
      int perSecond = 1000 / BIN_MS;
      for (int i = 0; i < a.length && i / perSecond < seconds; i++) {
        out[i / perSecond] += a[i];
      }
    }
    return out;
  }
}
