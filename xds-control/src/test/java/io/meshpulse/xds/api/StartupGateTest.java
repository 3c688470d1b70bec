package io.meshpulse.xds.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.xds.control.LoopView;
import io.meshpulse.xds.policy.PolicyState;
import io.meshpulse.xds.policy.RoutingTable;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

class StartupGateTest {
  private static LoopView view(boolean ready) {
    return new LoopView(
        RoutingTable.EMPTY, RoutingTable.EMPTY, PolicyState.INITIAL, "v1", Instant.EPOCH, ready);
  }

  @Test
  void beforeTheFirstRouting_writesAreRefusedWith503AndRetryAfter() {
    var refused = StartupGate.refuse(view(false));
    assertThat(refused).as("refused").isPresent();
    assertThat(refused.get().getStatusCode().value()).as("status").isEqualTo(503);
    assertThat(refused.get().getHeaders().getFirst(HttpHeaders.RETRY_AFTER))
        .as("Retry-After")
        .isEqualTo("5");
    assertThat(refused.get().getBody()).as("body").containsEntry("error", StartupGate.MESSAGE);
  }

  @Test
  void onceReady_writesGoAhead() {
    assertThat(StartupGate.refuse(view(true))).as("refused").isEmpty();
  }
}
