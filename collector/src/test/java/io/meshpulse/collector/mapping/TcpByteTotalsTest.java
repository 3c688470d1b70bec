package io.meshpulse.collector.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TcpByteTotalsTest {
  private final long[] delta = new long[2];
  private final AtomicInteger tracked = new AtomicInteger();

  @Test
  void beyondItsRoom_forgetsTheConnectionThatLoggedLongestAgo() {
    TcpByteTotals totals = new TcpByteTotals(2, tracked, 100);
    log(totals, "a", 10, false);
    log(totals, "b", 10, false);
    log(totals, "a", 20, false); // a logged after b: b is the one to forget
    log(totals, "c", 10, false);

    assertThat(totals.size()).as("remembered").isEqualTo(2);
    assertThat(totals.takeForgotten()).as("forgotten").isEqualTo(1);
    assertThat(totals.takeForgotten()).as("forgotten, taken again").isZero();
    assertThat(log(totals, "a", 25, false)).as("a, still remembered").isEqualTo(5);
    assertThat(log(totals, "b", 30, false)).as("b, forgotten: counts in full").isEqualTo(30);
  }

  @Test
  void aConnectionsEnd_forgetsIt() {
    TcpByteTotals totals = new TcpByteTotals(4, tracked, 100);
    log(totals, "a", 10, false);

    assertThat(log(totals, "a", 15, true)).as("the end").isEqualTo(5);
    assertThat(totals.size()).as("remembered after the end").isZero();
    assertThat(totals.takeForgotten()).as("an end is not a forgetting").isZero();
  }

  @Test
  void totalsThatFall_countInFullAndStartAgain() {
    TcpByteTotals totals = new TcpByteTotals(4, tracked, 100);
    log(totals, "a", 100, false);

    assertThat(log(totals, "a", 30, false)).as("another connection on the same key").isEqualTo(30);
    assertThat(log(totals, "a", 45, false)).as("then from its totals").isEqualTo(15);
  }

  @Test
  void anEntryWithoutStartTimeOrAddress_countsInFullAndIsNotRemembered() {
    TcpByteTotals totals = new TcpByteTotals(4, tracked, 100);
    byte[] address = "a".getBytes(StandardCharsets.UTF_8);
    totals.since(0, 0, address, 0, address.length, 10, 10, false, delta);
    totals.since(0, 0, address, 0, address.length, 25, 25, false, delta);
    assertThat(delta[0]).as("no start time").isEqualTo(25);
    totals.since(1, 0, address, 0, 0, 10, 10, false, delta);
    totals.since(1, 0, address, 0, 0, 25, 25, false, delta);
    assertThat(delta[0]).as("no address").isEqualTo(25);
    assertThat(totals.size()).as("remembered").isZero();
  }

  @Test
  void theStreamsTogether_rememberAtMostTheirShare() {
    TcpByteTotals one = new TcpByteTotals(10, tracked, 3);
    TcpByteTotals two = new TcpByteTotals(10, tracked, 3);
    log(one, "a", 10, false);
    log(one, "b", 10, false);
    log(two, "c", 10, false);

    assertThat(tracked.get()).as("tracked, at the shared cap").isEqualTo(3);
    log(two, "d", 10, false);
    assertThat(two.takeForgotten()).as("a stream at the cap makes room among its own").isOne();
    assertThat(log(two, "c", 30, false)).as("c, forgotten for d: counts in full").isEqualTo(30);
    assertThat(one.size() + two.size()).as("remembered").isEqualTo(3);
    TcpByteTotals three = new TcpByteTotals(10, tracked, 3);
    log(three, "e", 10, false);
    assertThat(three.takeForgotten()).as("a stream with none of its own: not remembered").isOne();
    assertThat(three.size()).isZero();

    log(one, "a", 15, true);
    assertThat(tracked.get()).as("an end frees its place").isEqualTo(2);
    two.close();
    assertThat(tracked.get()).as("a closed stream frees its places").isEqualTo(1);
    log(two, "f", 10, false);
    assertThat(two.size()).as("a closed stream remembers no more").isZero();
    assertThat(tracked.get()).isEqualTo(1);
  }

  @Test
  void noRoom_isRefused() {
    assertThatThrownBy(() -> new TcpByteTotals(0, tracked, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnections");
  }

  /** Logs connection {@code name} (both totals {@code total}); returns the received delta. */
  private long log(TcpByteTotals totals, String name, long total, boolean last) {
    // The key's bytes sit inside a larger buffer, as they do in a message.
    byte[] buf = ("--" + name + "--").getBytes(StandardCharsets.UTF_8);
    totals.since(1_764_158_400L, 5, buf, 2, name.length(), total, total, last, delta);
    assertThat(delta[1]).as("sent moves as received here").isEqualTo(delta[0]);
    return delta[0];
  }
}
