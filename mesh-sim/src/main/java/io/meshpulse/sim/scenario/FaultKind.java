package io.meshpulse.sim.scenario;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The kinds of fault a scenario's timeline can inject. */
public enum FaultKind {
  /**
   * Every request fails: connection failures (flag UF) or HTTP 503s, see {@link HardFailureMode}.
   */
  HARD_FAILURE("hard-failure"),
  /** A small extra error rate (2–5 %) on top of the endpoint's base rate. */
  GRAY_FAILURE("gray-failure"),
  /** Every latency sample is multiplied by {@code latencyFactor} (p99 ×3 by default). */
  LATENCY_REGRESSION("latency-regression"),
  /** Latency rises and the host sheds requests with 503s, both ramping up over {@code ramp}. */
  OVERLOAD("overload"),
  /** A whole subset (the canary version) returns errors at a high rate. */
  BAD_CANARY("bad-canary");

  private final String yamlName;

  FaultKind(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }

  public static FaultKind fromYaml(String name) {
    return Arrays.stream(values())
        .filter(k -> k.yamlName.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown fault kind '"
                        + name
                        + "' (one of "
                        + Arrays.stream(values())
                            .map(FaultKind::yamlName)
                            .collect(Collectors.joining(", "))
                        + ")"));
  }
}
