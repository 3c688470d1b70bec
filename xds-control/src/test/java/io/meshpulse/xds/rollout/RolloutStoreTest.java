package io.meshpulse.xds.rollout;

import static io.meshpulse.xds.rollout.RolloutFixtures.T0;
import static io.meshpulse.xds.rollout.RolloutFixtures.TOPOLOGY;
import static io.meshpulse.xds.rollout.RolloutFixtures.healthy;
import static io.meshpulse.xds.rollout.RolloutFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.RolloutRecord;
import io.meshpulse.xds.shift.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Rollouts tell their store every change, and a restart takes them back from it. */
class RolloutStoreTest {
  /** What a compacted topic would hold: the latest record of each key, through its records. */
  static final class Recording implements RolloutStore {
    final Map<String, RolloutRecord> latest = new LinkedHashMap<>();
    final List<String> changes = new ArrayList<>();

    @Override
    public void changed(Rollout rollout) {
      latest.put(rollout.spec().key(), RolloutRecords.toRecord(rollout));
      changes.add(rollout.state() + " " + rollout.percent());
    }

    @Override
    public void removed(String key) {
      latest.remove(key);
      changes.add("removed " + key);
    }

    List<Rollout> stored() {
      return latest.values().stream()
          .map(RolloutRecords::fromRecord)
          .flatMap(Optional::stream)
          .toList();
    }
  }

  private final Recording store = new Recording();
  private final Rollouts first = new Rollouts(Duration.ofSeconds(10), 0.5, List.of(), T0, store);

  private void advance(Rollouts r, Instant at) {
    r.advance(at, TOPOLOGY, healthy(at), Map.of());
  }

  @Test
  void everyChange_isStored_andARestartGoesOnFromWhereTheRolloutWas() {
    RolloutSpec spec = spec().build();
    first.start(spec, T0);
    for (int s = 0; s <= 2; s++) {
      advance(first, T0.plusSeconds(s));
    }
    Rollout before = first.get("reviews", "v2").orElseThrow();
    assertThat(before.percent()).as("percent before the restart").isEqualTo(50);
    assertThat(store.stored()).as("what the store holds").containsExactly(before);
    int changes = store.changes.size();
    advance(first, T0.plusMillis(2500));
    assertThat(store.changes)
        .as("an evaluation that changes nothing stores nothing")
        .hasSize(changes);

    Rollouts restarted = new Rollouts(Duration.ofSeconds(10), 0.5, List.of(), T0, store);
    assertThat(restarted.restore(store.stored(), TOPOLOGY))
        .as("restored")
        .containsExactly("reviews/v2");
    for (Rollouts r : List.of(first, restarted)) {
      advance(r, T0.plusSeconds(3));
    }
    assertThat(restarted.get("reviews", "v2").orElseThrow())
        .as("the restarted rollout, one interval later")
        .isEqualTo(first.get("reviews", "v2").orElseThrow());
    assertThat(restarted.get("reviews", "v2").orElseThrow().percent()).as("percent").isEqualTo(75);
  }

  @Test
  void abortsAlertsAndRemovals_areStoredToo() {
    first.start(spec().build(), T0);
    first.onAlert(
        new Alert(
            "fp", true, Map.of("destination_service_name", "reviews", "destination_version", "v2")),
        T0.plusSeconds(1));
    assertThat(store.stored())
        .as("rolled back by the alert")
        .singleElement()
        .satisfies(r -> assertThat(r.state()).isEqualTo(RolloutState.ROLLED_BACK));
    first.abort("reviews", "v2", "done", T0.plusSeconds(2));
    assertThat(store.stored()).as("removed").isEmpty();
    assertThat(store.changes)
        .as("changes")
        .containsExactly("PROGRESSING 0", "ROLLED_BACK 0", "removed reviews/v2");
  }

  @Test
  void aDeclaredRollout_takesItsStoredProgress_onlyWithTheSameSettings() {
    Rollout stored =
        new Rollout(spec().build(), RolloutState.PROGRESSING, 50, T0, "canary at 50 %", T0);
    Rollouts same = new Rollouts(Duration.ofSeconds(10), 0.5, List.of(spec().build()), T0, store);
    assertThat(same.restore(List.of(stored), TOPOLOGY)).as("same settings").hasSize(1);
    assertThat(same.get("reviews", "v2").orElseThrow().percent()).as("percent").isEqualTo(50);

    Rollouts changed =
        new Rollouts(
            Duration.ofSeconds(10), 0.5, List.of(spec().stepPercent(5).build()), T0, store);
    assertThat(changed.restore(List.of(stored), TOPOLOGY)).as("changed settings").isEmpty();
    assertThat(changed.get("reviews", "v2").orElseThrow().percent()).as("starts again").isZero();
  }

  @Test
  void aStoredRolloutThatCannotRunOnTheTopology_isDroppedAndRemoved() {
    Rollout elsewhere =
        new Rollout(
            spec().service("ratings").build(), RolloutState.PROMOTED, 100, T0, "promoted", T0);
    Rollouts restarted = new Rollouts(Duration.ofSeconds(10), 0.5, List.of(), T0, store);
    assertThat(restarted.restore(List.of(elsewhere), TOPOLOGY)).as("restored").isEmpty();
    assertThat(restarted.list()).as("rollouts").isEmpty();
    assertThat(store.changes).as("changes").containsExactly("removed ratings/v2");
  }

  @Test
  void aRecord_roundTrips_andAnInvalidOneIsRefused() {
    Rollout r = new Rollout(spec().build(), RolloutState.PROMOTED, 100, null, "promoted", T0);
    assertThat(RolloutRecords.fromRecord(RolloutRecords.toRecord(r))).as("round trip").hasValue(r);
    Rollout onOneRoute =
        new Rollout(
            spec().route("reviews/default").build(), RolloutState.PROGRESSING, 50, T0, "50 %", T0);
    assertThat(RolloutRecords.fromRecord(RolloutRecords.toRecord(onOneRoute)))
        .as("round trip, with its route")
        .hasValue(onOneRoute);
    RolloutRecord valid = RolloutRecords.toRecord(r);
    assertThat(RolloutRecords.fromRecord(valid.toBuilder().setState("DONE").build()))
        .as("unknown state")
        .isEmpty();
    assertThat(RolloutRecords.fromRecord(valid.toBuilder().setStepPercent(0).build()))
        .as("invalid settings")
        .isEmpty();
    assertThat(RolloutRecords.fromRecord(valid.toBuilder().setPercent(101).build()))
        .as("percent above the maximum")
        .isEmpty();
  }
}
