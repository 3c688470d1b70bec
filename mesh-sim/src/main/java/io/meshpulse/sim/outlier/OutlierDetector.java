package io.meshpulse.sim.outlier;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * Envoy's outlier detector for one cluster of one proxy, fed only with that proxy's own responses
 * (as in Envoy, where every proxy judges its upstream hosts alone). Not thread-safe: one proxy
 * drives it from its tick.
 *
 * <ul>
 *   <li><b>Consecutive 5xx / gateway failures</b> run inline: the response that completes the run
 *       of errors ejects the host at once; the counter restarts whether or not the ejection was
 *       enforced. A non-5xx response resets both counters, a 5xx that is not 502/503/504 resets the
 *       gateway counter.
 *   <li><b>Success rate / failure percentage</b> run on the {@link #onInterval interval} sweep over
 *       the hosts with at least the request volume in the interval, when at least the minimum
 *       number of hosts qualifies: success rate ejects a host below mean − (stdev_factor / 1000) ×
 *       σ (population standard deviation of the hosts' success rates, in percent); failure
 *       percentage ejects a host whose failure percentage is at least the threshold.
 *   <li>An ejection may not take the ejected share above max_ejection_percent: Envoy ejects only if
 *       100 × (ejected + 1) / hosts ≤ max (so with 10 hosts and 10 % one host at most, with fewer
 *       than 10 hosts none; {@code always_eject_one_host}, off by default, is not modelled); then
 *       it needs its enforcement chance.
 *   <li>An ejected host returns at the first sweep at least base_ejection_time × its backoff,
 *       capped at max_ejection_time, after its ejection. The backoff grows by one at each ejection
 *       while backoff × base_ejection_time &lt; max_ejection_time + base_ejection_time, and drops
 *       by one at each sweep that ends (after success rate and failure percentage ran) with the
 *       host in service and returned at least an interval ago. {@code max_ejection_time_jitter} (0
 *       by default) is not modelled.
 * </ul>
 *
 * <p>Envoy's source: source/common/upstream/outlier_detection_impl.cc ({@code ejectHost}, {@code
 * checkHostForUneject}, {@code onIntervalTimer}).
 */
public final class OutlierDetector {
  private static final class Host {
    int consecutive5xx;
    int consecutiveGateway;
    long requests;
    long failures;
    boolean ejected;
    long ejectedAtMs;
    long unejectedAtMs = Long.MIN_VALUE;
    // Envoy's num_ejections: never decreases.
    int ejections;
    // Envoy's eject_time_backoff: the multiplier of base_ejection_time.
    int backoff;
  }

  private final OutlierDetectionConfig config;
  private final RandomGenerator random;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private int ejectedCount;

  public OutlierDetector(
      OutlierDetectionConfig config, List<String> hosts, RandomGenerator random) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a cluster needs at least one host");
    }
    this.config = config;
    this.random = random;
    hosts.forEach(h -> this.hosts.put(h, new Host()));
  }

  /**
   * One response from {@code host}, as the HTTP status Envoy's router reports to the detector (a
   * gRPC status mapped to HTTP, a connection failure as 503). Returns the ejection it caused, if
   * any.
   */
  public List<OutlierEvent> onResponse(String host, int httpStatus, long nowMs) {
    Host h = hosts.get(host);
    if (h == null || h.ejected) {
      return List.of();
    }
    h.requests++;
    if (httpStatus < 500 || httpStatus > 599) {
      h.consecutive5xx = 0;
      h.consecutiveGateway = 0;
      return List.of();
    }
    h.failures++;
    List<OutlierEvent> out = new ArrayList<>(1);
    if (httpStatus >= 502 && httpStatus <= 504) {
      if (++h.consecutiveGateway >= config.consecutiveGatewayFailure()) {
        h.consecutiveGateway = 0;
        eject(
            host,
            h,
            EjectionCause.CONSECUTIVE_GATEWAY_FAILURE,
            config.enforcingConsecutiveGatewayFailure(),
            nowMs,
            out);
      }
    } else {
      h.consecutiveGateway = 0;
    }
    if (!h.ejected && ++h.consecutive5xx >= config.consecutive5xx()) {
      h.consecutive5xx = 0;
      eject(host, h, EjectionCause.CONSECUTIVE_5XX, config.enforcingConsecutive5xx(), nowMs, out);
    }
    return out;
  }

  /**
   * The interval sweep: returns hosts to service, runs success rate and failure %, then lowers the
   * backoff of the hosts in service since an interval or more.
   */
  public List<OutlierEvent> onInterval(long nowMs) {
    List<OutlierEvent> out = new ArrayList<>();
    for (Map.Entry<String, Host> e : hosts.entrySet()) {
      Host h = e.getValue();
      if (h.ejected && nowMs - h.ejectedAtMs >= config.ejectionTime(h.backoff).toMillis()) {
        h.ejected = false;
        h.unejectedAtMs = nowMs;
        ejectedCount--;
        h.consecutive5xx = 0;
        h.consecutiveGateway = 0;
        out.add(new OutlierEvent(e.getKey(), false, null, nowMs, h.ejections));
      }
    }
    successRateAndFailurePercentage(nowMs, out);
    for (Host h : hosts.values()) {
      h.requests = 0;
      h.failures = 0;
      if (!h.ejected
          && h.backoff > 0
          && h.unejectedAtMs != Long.MIN_VALUE
          && nowMs - h.unejectedAtMs >= config.interval().toMillis()) {
        h.backoff--;
      }
    }
    return out;
  }

  private void successRateAndFailurePercentage(long nowMs, List<OutlierEvent> out) {
    List<Map.Entry<String, Host>> srHosts = new ArrayList<>();
    List<Map.Entry<String, Host>> fpHosts = new ArrayList<>();
    for (Map.Entry<String, Host> e : hosts.entrySet()) {
      Host h = e.getValue();
      if (h.ejected) {
        continue;
      }
      if (h.requests >= config.successRateRequestVolume()) {
        srHosts.add(e);
      }
      if (h.requests >= config.failurePercentageRequestVolume()) {
        fpHosts.add(e);
      }
    }
    if (!srHosts.isEmpty() && srHosts.size() >= config.successRateMinimumHosts()) {
      double sum = 0;
      for (Map.Entry<String, Host> e : srHosts) {
        sum += successRate(e.getValue());
      }
      double mean = sum / srHosts.size();
      double variance = 0;
      for (Map.Entry<String, Host> e : srHosts) {
        double d = successRate(e.getValue()) - mean;
        variance += d * d;
      }
      double stdev = Math.sqrt(variance / srHosts.size());
      double threshold = mean - stdev * (config.successRateStdevFactor() / 1000.0);
      for (Map.Entry<String, Host> e : srHosts) {
        if (successRate(e.getValue()) < threshold) {
          eject(
              e.getKey(),
              e.getValue(),
              EjectionCause.SUCCESS_RATE,
              config.enforcingSuccessRate(),
              nowMs,
              out);
        }
      }
    }
    if (!fpHosts.isEmpty() && fpHosts.size() >= config.failurePercentageMinimumHosts()) {
      for (Map.Entry<String, Host> e : fpHosts) {
        Host h = e.getValue();
        if (!h.ejected && 100.0 - successRate(h) >= config.failurePercentageThreshold()) {
          eject(
              e.getKey(),
              h,
              EjectionCause.FAILURE_PERCENTAGE,
              config.enforcingFailurePercentage(),
              nowMs,
              out);
        }
      }
    }
  }

  private static double successRate(Host h) {
    return 100.0 * (h.requests - h.failures) / h.requests;
  }

  private void eject(
      String name,
      Host h,
      EjectionCause cause,
      int enforcingPercent,
      long nowMs,
      List<OutlierEvent> out) {
    double ejectedPercent = 100.0 * (ejectedCount + 1) / hosts.size();
    if (ejectedPercent > config.maxEjectionPercent()) {
      return;
    }
    if (enforcingPercent <= 0
        || (enforcingPercent < 100 && random.nextInt(100) >= enforcingPercent)) {
      return;
    }
    h.ejected = true;
    h.ejectedAtMs = nowMs;
    h.ejections++;
    long baseMs = config.baseEjectionTime().toMillis();
    if ((long) h.backoff * baseMs < config.maxEjectionTime().toMillis() + baseMs) {
      h.backoff++;
    }
    ejectedCount++;
    out.add(new OutlierEvent(name, true, cause, nowMs, h.ejections));
  }

  public boolean isEjected(String host) {
    Host h = hosts.get(host);
    return h != null && h.ejected;
  }

  /** The hosts ejected now, sorted. */
  public Set<String> ejectedHosts() {
    Set<String> out = new TreeSet<>();
    hosts.forEach(
        (k, h) -> {
          if (h.ejected) {
            out.add(k);
          }
        });
    return out;
  }

  public List<String> hosts() {
    return List.copyOf(hosts.keySet());
  }
}
