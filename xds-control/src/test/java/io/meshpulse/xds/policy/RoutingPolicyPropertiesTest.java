package io.meshpulse.xds.policy;

import static io.meshpulse.xds.policy.Fixtures.SERVICE;
import static io.meshpulse.xds.policy.Fixtures.T0;
import static io.meshpulse.xds.policy.Fixtures.health;
import static io.meshpulse.xds.policy.Fixtures.ids;
import static io.meshpulse.xds.policy.Fixtures.topology;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.EndpointAction;
import io.meshpulse.model.v1.HealthState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Guardrails checked over random health sequences (seeded, so failures reproduce). */
class RoutingPolicyPropertiesTest {
  private static final int RUNS = 60;
  private static final int STEPS = 300;
  private static final HealthState[] STATES = {
    HealthState.HEALTH_STATE_HEALTHY,
    HealthState.HEALTH_STATE_DEGRADED,
    HealthState.HEALTH_STATE_UNHEALTHY,
    HealthState.HEALTH_STATE_UNKNOWN
  };

  private final PolicyConfig config =
      PolicyConfig.builder()
          .minDwell(Duration.ofSeconds(3))
          .baseEjectionTime(Duration.ofSeconds(5))
          .maxEjectionTime(Duration.ofSeconds(20))
          .build();

  /** A random scenario: topology size, and a mutable health table fed random records. */
  private final class Scenario {
    final Random random;
    final Fixtures.Runner run;
    final List<EndpointId> ids;
    final Map<String, HealthObservation> table = new HashMap<>();
    final java.util.Set<EndpointId> quiet = new java.util.HashSet<>();
    Instant now = T0;

    Scenario(long seed) {
      this(seed, 1);
    }

    Scenario(long seed, int minEndpointsPerSubset) {
      random = new Random(seed);
      int subsets = 1 + random.nextInt(3);
      String[] names = new String[subsets];
      for (int i = 0; i < subsets; i++) {
        names[i] = "v" + (i + 1);
      }
      run = new Fixtures.Runner(config, topology(minEndpointsPerSubset + random.nextInt(6), names));
      ids = ids(run.topology);
    }

    /** Advances time and, unless silent, gives some endpoints a random fresh record. */
    PolicyResult step(boolean silent) {
      now = now.plusMillis(50 + random.nextInt(1500));
      if (!silent) {
        for (EndpointId id : ids) {
          if (!quiet.contains(id) && random.nextDouble() < 0.6) {
            HealthState state = STATES[random.nextInt(STATES.length)];
            table.put(id.key(), health(id, state, random.nextDouble(), random.nextDouble(), now));
          }
        }
      }
      return run.step(HealthTable.of(table), now);
    }

    void randomHistory() {
      for (int i = 0; i < STEPS; i++) {
        step(random.nextDouble() < 0.02);
      }
    }
  }

  @Test
  void ejectedEndpoints_neverExceedMaxEjectionPercentNorThePanicThreshold() {
    int runsAtTheLimit = 0;
    for (long seed = 0; seed < RUNS; seed++) {
      Scenario s = new Scenario(seed);
      int n = s.ids.size();
      int allowed = Math.min(Math.max(n / 5, n >= 3 ? 1 : 0), n - (n + 1) / 2);
      boolean reached = false;
      for (int i = 0; i < STEPS; i++) {
        s.step(false);
        assertThat(s.run.ejected())
            .as("seed %d step %d: ejected of %d endpoints", seed, i, n)
            .isLessThanOrEqualTo(allowed);
        reached |= allowed > 0 && s.run.ejected() == allowed;
      }
      runsAtTheLimit += reached ? 1 : 0;
    }
    // The bound is tested only where the random histories press against it.
    assertThat(runsAtTheLimit)
        .as("runs of %d that reached their limit", RUNS)
        .isGreaterThan(RUNS / 2);
  }

  @Test
  void noEndpoint_flipsFasterThanTheDwellTime_norItsWeightFasterThanTheStepBound() {
    int transitions = 0;
    int dwellChecked = 0;
    int weightSteps = 0;
    for (long seed = 0; seed < RUNS; seed++) {
      Scenario s = new Scenario(seed);
      Map<EndpointId, Instant> lastTransition = new HashMap<>();
      Map<EndpointId, Boolean> lastWasEscalation = new HashMap<>();
      Map<EndpointId, EndpointState> before = Map.of();
      for (int i = 0; i < STEPS; i++) {
        s.step(s.random.nextDouble() < 0.02);
        for (EndpointId id : s.ids) {
          EndpointState now = s.run.state.endpoints().get(id);
          EndpointState prev = before.get(id);
          if (prev == null) {
            continue;
          }
          if (now.status() != prev.status()) {
            // Only a further escalation right after an escalation may be quick (a fault getting
            // worse); an improvement, or a relapse right after one, waits for the dwell time.
            boolean escalation = now.status().compareTo(prev.status()) > 0;
            Instant last = lastTransition.get(id);
            if (last != null && !(escalation && lastWasEscalation.get(id))) {
              assertThat(Duration.between(last, s.now))
                  .as("seed %d step %d: %s %s→%s", seed, i, id, prev.status(), now.status())
                  .isGreaterThanOrEqualTo(config.minDwell());
              dwellChecked++;
            }
            lastTransition.put(id, s.now);
            lastWasEscalation.put(id, escalation);
            transitions++;
          } else if (now.status() != EndpointStatus.EJECTED) {
            weightSteps += now.weight() != prev.weight() ? 1 : 0;
            assertThat(Math.abs(now.weight() - prev.weight()))
                .as("seed %d step %d: weight step of %s", seed, i, id)
                .isLessThanOrEqualTo(config.maxWeightStep());
          }
        }
        before = s.run.state.endpoints();
      }
    }
    // Neither bound holds vacuously: the random histories change states and weights often.
    assertThat(transitions).as("status changes over all runs").isGreaterThan(RUNS * 10);
    assertThat(dwellChecked).as("changes held to the dwell time").isGreaterThan(RUNS * 5);
    assertThat(weightSteps).as("weight changes within a status").isGreaterThan(RUNS * 10);
  }

  @Test
  void staleHealth_alwaysEndsNeutral() {
    for (long seed = 0; seed < RUNS; seed++) {
      // Two endpoints at least: when the only endpoint goes quiet, the whole pipeline is silent.
      Scenario s = new Scenario(seed, 2);
      s.randomHistory();
      EndpointId quiet = s.ids.get(s.random.nextInt(s.ids.size()));
      Instant end = s.now.plus(config.maxEjectionTime()).plus(config.staleAfter()).plusSeconds(10);
      s.quiet.add(quiet);
      while (s.now.isBefore(end)) {
        s.step(false);
      }
      EndpointRouting r = s.run.routing(quiet);
      assertThat(r.status())
          .as("seed %d: status of the quiet endpoint", seed)
          .isEqualTo(EndpointStatus.ACTIVE);
      assertThat(r.weight())
          .as("seed %d: weight of the quiet endpoint", seed)
          .isEqualTo(config.neutralWeight());
    }
  }

  @Test
  void aSilentPipeline_neverEjectsAnyone_andEventuallyRevertsEveryoneToNeutral() {
    for (long seed = 0; seed < RUNS; seed++) {
      Scenario s = new Scenario(seed);
      s.randomHistory();
      Long ejectedAtSilence = null;
      Instant end = s.now.plus(config.silentAfter()).plus(config.holdFor()).plusSeconds(10);
      while (s.now.isBefore(end)) {
        PolicyResult r = s.step(true);
        if (r.state().mode() == PolicyMode.NORMAL) {
          // Records younger than the staleness timeout are still acted on as usual.
          continue;
        }
        if (ejectedAtSilence == null) {
          ejectedAtSilence = s.run.ejected();
        }
        assertThat(r.decisions().stream().flatMap(d -> d.endpointChanges().stream()))
            .as("seed %d: changes while silent", seed)
            .noneMatch(c -> c.action() == EndpointAction.ENDPOINT_ACTION_EJECT);
        assertThat(s.run.ejected())
            .as("seed %d: ejected while silent", seed)
            .isLessThanOrEqualTo(ejectedAtSilence);
      }
      assertThat(ejectedAtSilence).as("seed %d: the silence was detected", seed).isNotNull();
      assertThat(s.run.last.intended().services().get(SERVICE).endpoints())
          .as("seed %d: after the hold time", seed)
          .allMatch(
              e -> e.status() == EndpointStatus.ACTIVE && e.weight() == config.neutralWeight());
    }
  }
}
