package io.meshpulse.xds.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LatestByKeyTest {

  @Test
  void anOlderUpdate_isIgnored_aSameOrNewerOneReplaces() {
    LatestByKey<String, String> latest = new LatestByKey<>();
    assertThat(latest.put("a", "window 10", 10_000)).isTrue();
    assertThat(latest.put("a", "window 9, scored again", 9_000)).as("older").isFalse();
    assertThat(latest.get("a")).isEqualTo("window 10");
    assertThat(latest.put("a", "window 10, again", 10_000)).as("the same time").isTrue();
    assertThat(latest.put("a", "window 11", 11_000)).isTrue();
    assertThat(latest.all()).containsExactly(Map.entry("a", "window 11"));
  }

  @Test
  void aTombstone_alwaysDeletes_andAnyUpdateAfterItApplies() {
    LatestByKey<String, String> latest = new LatestByKey<>();
    latest.put("a", "window 10", 10_000);
    latest.delete("a");
    assertThat(latest.get("a")).isNull();
    assertThat(latest.all()).isEmpty();
    assertThat(latest.put("a", "window 5", 5_000)).as("after the tombstone").isTrue();
    assertThat(latest.get("a")).isEqualTo("window 5");
  }

  @Test
  void aSeed_neverReplacesAnUpdateOrATombstone() {
    LatestByKey<String, String> latest = new LatestByKey<>();
    latest.put("a", "update", 1_000);
    latest.delete("b");
    latest.seed("a", "stored", 2_000);
    latest.seed("b", "stored", 2_000);
    latest.seed("c", "stored", 2_000);
    assertThat(latest.get("a")).isEqualTo("update");
    assertThat(latest.get("b")).isNull();
    assertThat(latest.get("c")).isEqualTo("stored");
    assertThat(latest.put("c", "older than the seed", 1_500)).isFalse();
  }
}
