package io.meshpulse.collector.mapping;

import static io.meshpulse.collector.mapping.TcpByteTotals.Entry.CONNECT;
import static io.meshpulse.collector.mapping.TcpByteTotals.Entry.END;
import static io.meshpulse.collector.mapping.TcpByteTotals.Entry.PERIODIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.collector.mapping.TcpByteTotals.Entry;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TcpByteTotalsTest {
  private static final long STARTED_SECONDS = 1_764_158_400L;
  private final long[] delta = new long[2];
  private final AtomicInteger tracked = new AtomicInteger();

  @Test
  void beyondItsRoom_forgetsTheConnectionThatLoggedLongestAgo() {
    TcpByteTotals totals = new TcpByteTotals(2, tracked, 100, Long.MIN_VALUE);
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
    TcpByteTotals totals = new TcpByteTotals(4, tracked, 100, Long.MIN_VALUE);
    log(totals, "a", 10, false);

    assertThat(log(totals, "a", 15, true)).as("the end").isEqualTo(5);
    assertThat(totals.size()).as("remembered after the end").isZero();
    assertThat(totals.takeForgotten()).as("an end is not a forgetting").isZero();
  }

  @Test
  void totalsThatFall_countInFullAndStartAgain() {
    TcpByteTotals totals = new TcpByteTotals(4, tracked, 100, Long.MIN_VALUE);
    log(totals, "a", 100, false);

    assertThat(log(totals, "a", 30, false)).as("another connection on the same key").isEqualTo(30);
    assertThat(log(totals, "a", 45, false)).as("then from its totals").isEqualTo(15);
  }

  @Test
  void anEntryWithoutStartTimeOrAddress_countsInFullAndIsNotRemembered() {
    TcpByteTotals totals = new TcpByteTotals(4, tracked, 100, Long.MIN_VALUE);
    byte[] address = "a".getBytes(StandardCharsets.UTF_8);
    totals.since(0, 0, address, 0, address.length, 10, 10, PERIODIC, delta);
    totals.since(0, 0, address, 0, address.length, 25, 25, PERIODIC, delta);
    assertThat(delta[0]).as("no start time").isEqualTo(25);
    totals.since(1, 0, address, 0, 0, 10, 10, PERIODIC, delta);
    totals.since(1, 0, address, 0, 0, 25, 25, PERIODIC, delta);
    assertThat(delta[0]).as("no address").isEqualTo(25);
    assertThat(totals.size()).as("remembered").isZero();
  }

  @Test
  void theStreamsTogether_rememberAtMostTheirShare() {
    TcpByteTotals one = new TcpByteTotals(10, tracked, 3, Long.MIN_VALUE);
    TcpByteTotals two = new TcpByteTotals(10, tracked, 3, Long.MIN_VALUE);
    log(one, "a", 10, false);
    log(one, "b", 10, false);
    log(two, "c", 10, false);

    assertThat(tracked.get()).as("tracked, at the shared cap").isEqualTo(3);
    log(two, "d", 10, false);
    assertThat(two.takeForgotten()).as("a stream at the cap makes room among its own").isOne();
    assertThat(log(two, "c", 30, false)).as("c, forgotten for d: counts in full").isEqualTo(30);
    assertThat(one.size() + two.size()).as("remembered").isEqualTo(3);
    TcpByteTotals three = new TcpByteTotals(10, tracked, 3, Long.MIN_VALUE);
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
  void aPeriodicEntryOfAConnectionOlderThanTheStream_onlySetsItsBaseline() {
    // The stream opened 60 s after the connections started: an earlier stream of the proxy may
    // have counted what they moved so far.
    TcpByteTotals totals = new TcpByteTotals(8, tracked, 100, (STARTED_SECONDS + 60) * 1000L);

    assertThat(log(totals, "a", STARTED_SECONDS, 1_000, PERIODIC)).as("a, joined").isZero();
    assertThat(log(totals, "a", STARTED_SECONDS, 1_500, PERIODIC)).as("a, next").isEqualTo(500);
    assertThat(log(totals, "a", STARTED_SECONDS, 1_600, END)).as("a, its end").isEqualTo(100);
    assertThat(totals.takeJoined()).as("joined").isOne();
    assertThat(totals.takeJoined()).as("joined, taken again").isZero();

    assertThat(log(totals, "b", STARTED_SECONDS, 700, END))
        .as("an older connection's only entry on the stream, its end: counts in full")
        .isEqualTo(700);
    assertThat(log(totals, "c", STARTED_SECONDS, 40, CONNECT))
        .as("a connect entry: the connection's first")
        .isEqualTo(40);
    assertThat(log(totals, "d", STARTED_SECONDS + 61, 900, PERIODIC))
        .as("a connection younger than the stream: nothing of it was logged before")
        .isEqualTo(900);
    assertThat(log(totals, "e", STARTED_SECONDS + 59, 300, PERIODIC))
        .as("a second older than the stream: joined")
        .isZero();
    assertThat(totals.takeJoined()).isOne();
  }

  @Test
  void withoutAnOpeningTime_anUnseenConnectionCountsInFull() {
    TcpByteTotals totals = new TcpByteTotals(8, tracked, 100, Long.MIN_VALUE);

    assertThat(log(totals, "a", STARTED_SECONDS, 1_000, PERIODIC)).isEqualTo(1_000);
    assertThat(totals.takeJoined()).isZero();
  }

  @Test
  void noRoom_isRefused() {
    assertThatThrownBy(() -> new TcpByteTotals(0, tracked, 100, Long.MIN_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnections");
  }

  /**
   * Logs connection {@code name} (both totals {@code total}) in a periodic or ({@code last}) end
   * entry; returns the received delta.
   */
  private long log(TcpByteTotals totals, String name, long total, boolean last) {
    return log(totals, name, STARTED_SECONDS, total, last ? END : PERIODIC);
  }

  private long log(
      TcpByteTotals totals, String name, long startedSeconds, long total, Entry entry) {
    // The key's bytes sit inside a larger buffer, as they do in a message.
    byte[] buf = ("--" + name + "--").getBytes(StandardCharsets.UTF_8);
    totals.since(startedSeconds, 5, buf, 2, name.length(), total, total, entry, delta);
    assertThat(delta[1]).as("sent moves as received here").isEqualTo(delta[0]);
    return delta[0];
  }
}
