package io.meshpulse.sim.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.sim.scenario.EndpointSpec;
import io.meshpulse.sim.scenario.FaultKind;
import io.meshpulse.sim.scenario.FaultSpec;
import io.meshpulse.sim.scenario.HardFailureMode;
import io.meshpulse.sim.scenario.LatencySpec;
import io.meshpulse.sim.scenario.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EndpointBehaviourTest {
  static final int N = 100_000;
  static final EndpointSpec ENDPOINT =
      new EndpointSpec("127.0.0.1", 9101, "a", new LatencySpec(20, 80), 0.002);

  static FaultSpec fault(FaultKind kind, double errorRate, double factor) {
    return new FaultSpec(
        kind,
        "reviews",
        null,
        "127.0.0.1:9101",
        Duration.ZERO,
        null,
        HardFailureMode.CONNECT_FAILURE,
        errorRate,
        factor,
        Duration.ofSeconds(10));
  }

  static List<Outcome> run(Protocol protocol, List<ActiveFault> faults) {
    EndpointBehaviour b = new EndpointBehaviour(ENDPOINT, protocol);
    SplittableRandom r = new SplittableRandom(11);
    List<Outcome> out = new ArrayList<>(N);
    for (int i = 0; i < N; i++) {
      out.add(b.sample(r, faults));
    }
    return out;
  }

  static double errorRate(List<Outcome> o) {
    return o.stream().filter(Outcome::isError).count() / (double) o.size();
  }

  /** Three binomial standard deviations around p for N trials. */
  static double tolerance(double p) {
    return 3 * Math.sqrt(p * (1 - p) / N);
  }

  static double p99(List<Outcome> o) {
    double[] l = o.stream().mapToDouble(Outcome::latencyMs).sorted().toArray();
    return l[(int) (0.99 * (l.length - 1))];
  }

  @Test
  void withoutFaults_errorsFollowTheBaseRate() {
    double rate = errorRate(run(Protocol.HTTP, List.of()));
    assertThat(rate)
        .as("base error rate")
        .isBetween(0.002 - tolerance(0.002), 0.002 + tolerance(0.002));
  }

  @Test
  void grayFailure_addsItsErrorRate() {
    List<Outcome> o =
        run(Protocol.HTTP, List.of(new ActiveFault(fault(FaultKind.GRAY_FAILURE, 0.04, 1), 1)));
    double expected = 1 - (1 - 0.002) * (1 - 0.04);
    assertThat(errorRate(o))
        .as("gray error rate")
        .isBetween(expected - tolerance(expected), expected + tolerance(expected));
    assertThat(o.stream().filter(Outcome::isError).allMatch(x -> x.httpStatus() == 500))
        .as("application errors are 500s")
        .isTrue();
  }

  @Test
  void hardFailure_failsEveryRequestWithFlagUf() {
    List<Outcome> o =
        run(Protocol.HTTP, List.of(new ActiveFault(fault(FaultKind.HARD_FAILURE, 0, 1), 1)));
    assertThat(o)
        .as("all UF 503")
        .allMatch(
            x -> x.httpStatus() == 503 && x.flag() == ResponseFlag.UPSTREAM_CONNECTION_FAILURE);
  }

  @Test
  void grpcErrors_areStatusTrailersOnHttp200() {
    List<Outcome> o =
        run(Protocol.GRPC, List.of(new ActiveFault(fault(FaultKind.HARD_FAILURE, 0, 1), 1)));
    assertThat(o).as("UNAVAILABLE").allMatch(x -> x.httpStatus() == 200 && x.grpcStatus() == 14);
    assertThat(run(Protocol.GRPC, List.of()).stream().filter(x -> !x.isError()))
        .as("OK carries grpc-status 0")
        .allMatch(x -> x.grpcStatus() == 0);
  }

  @Test
  void latencyRegression_triplesTheP99() {
    double base = p99(run(Protocol.HTTP, List.of()));
    double slow =
        p99(
            run(
                Protocol.HTTP,
                List.of(new ActiveFault(fault(FaultKind.LATENCY_REGRESSION, 0, 3), 1))));
    assertThat(slow / base).as("p99 ratio").isBetween(2.9, 3.1);
  }

  @Test
  void overload_rampsLatencyAndUpstream503sWithItsIntensity() {
    FaultSpec f = fault(FaultKind.OVERLOAD, 0.1, 4);
    List<Outcome> half = run(Protocol.HTTP, List.of(new ActiveFault(f, 0.5)));
    List<Outcome> full = run(Protocol.HTTP, List.of(new ActiveFault(f, 1.0)));
    double shedHalf = half.stream().filter(EndpointBehaviourTest::shed).count() / (double) N;
    double shedFull = full.stream().filter(EndpointBehaviourTest::shed).count() / (double) N;
    assertThat(shedHalf)
        .as("503s at half strength")
        .isBetween(0.05 - tolerance(0.05), 0.05 + tolerance(0.05));
    assertThat(shedFull)
        .as("503s at full strength")
        .isBetween(0.1 - tolerance(0.1), 0.1 + tolerance(0.1));
    assertThat(full)
        .as("the host answers: no flag of Envoy's own replies")
        .allMatch(x -> x.flag() == ResponseFlag.NONE && x.details().equals("via_upstream"));
    assertThat(p99(full)).as("latency rises with intensity").isGreaterThan(p99(half) * 1.4);
  }

  private static boolean shed(Outcome o) {
    return o.httpStatus() == 503;
  }
}
