package io.meshpulse.sim.scenario;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A whole simulated mesh and its fault timeline, as loaded and validated by {@link ScenarioLoader}.
 */
public record Scenario(
    String name,
    String description,
    long seed,
    Duration duration,
    List<ServiceSpec> services,
    List<ProxySpec> proxies,
    List<FaultSpec> faults) {
  public Scenario {
    services = List.copyOf(services);
    proxies = List.copyOf(proxies);
    faults = List.copyOf(faults);
  }

  public Optional<ServiceSpec> service(String serviceName) {
    return services.stream().filter(s -> s.name().equals(serviceName)).findFirst();
  }

  /** Total proxies over all proxy groups. */
  public int proxyCount() {
    return proxies.stream().mapToInt(ProxySpec::count).sum();
  }

  /** Total requests per second the fleet sends. */
  public double totalRps() {
    return proxies.stream().mapToDouble(p -> p.count() * p.rps()).sum();
  }

  /** When the first fault begins, if there is one. */
  public Optional<Duration> firstFaultAt() {
    return faults.stream().map(FaultSpec::at).min(Comparator.naturalOrder());
  }

  /**
   * A copy with another duration and/or with the whole timeline moved so that its first fault
   * begins at {@code faultAt} (later faults keep their offsets relative to the first).
   */
  public Scenario withOverrides(Optional<Duration> newDuration, Optional<Duration> faultAt) {
    List<FaultSpec> shifted = faults;
    if (faultAt.isPresent() && firstFaultAt().isPresent()) {
      Duration delta = faultAt.get().minus(firstFaultAt().get());
      shifted = faults.stream().map(f -> f.shiftedTo(f.at().plus(delta))).toList();
    }
    return new Scenario(
        name, description, seed, newDuration.orElse(duration), services, proxies, shifted);
  }

  /**
   * A copy whose services are all renamed {@code <name><suffix>} (calls and faults follow), so the
   * same mesh can run again on one platform as services it has never seen: no health history, no
   * routing state carries over from an earlier run.
   */
  public Scenario withServiceSuffix(String suffix) {
    List<ServiceSpec> renamed =
        services.stream()
            .map(s -> new ServiceSpec(s.name() + suffix, s.port(), s.protocol(), s.subsets()))
            .toList();
    List<ProxySpec> callers =
        proxies.stream()
            .map(
                p ->
                    new ProxySpec(
                        p.workload(),
                        p.app(),
                        p.version(),
                        p.namespace(),
                        p.count(),
                        p.rps(),
                        p.calls().stream().map(c -> c + suffix).toList()))
            .toList();
    List<FaultSpec> moved =
        faults.stream()
            .map(
                f ->
                    new FaultSpec(
                        f.kind(),
                        f.service() + suffix,
                        f.subset(),
                        f.endpoint(),
                        f.at(),
                        f.duration(),
                        f.mode(),
                        f.errorRate(),
                        f.latencyFactor(),
                        f.ramp()))
            .toList();
    return new Scenario(name, description, seed, duration, renamed, callers, moved);
  }
}
