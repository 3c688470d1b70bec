package io.meshpulse.streamprocessor.score;

import java.util.List;

/**
 * The latencies of one endpoint's peers that the median p99 is taken over (those with enough
 * requests to judge latency), counted against a reference only when a verdict needs it: a healthy
 * window asks nothing, so the common case costs nothing.
 */
public final class PeerLatencies {
  /** No peers: every count is 0. */
  public static final PeerLatencies NONE = new PeerLatencies(List.of(), -1, Long.MAX_VALUE);

  private final List<EndpointStats> members;
  private final int self;
  private final long minLatencyRequests;

  /**
   * The members of {@code self}'s subset but {@code self} (an index into {@code members}, -1 for
   * none) that have at least {@code minLatencyRequests} requests and timed ones.
   */
  PeerLatencies(List<EndpointStats> members, int self, long minLatencyRequests) {
    this.members = members;
    this.self = self;
    this.minLatencyRequests = minLatencyRequests;
  }

  /** How many of the peers' timed requests were slower than {@code millis}, and of how many. */
  Tail above(double millis) {
    long slow = 0;
    long timed = 0;
    for (int i = 0; i < members.size(); i++) {
      EndpointStats s = members.get(i);
      if (i != self && s.requests() >= minLatencyRequests && s.hasLatency()) {
        slow += s.latency().countAbove(millis);
        timed += s.latency().count();
      }
    }
    return new Tail(slow, timed);
  }

  /** {@code slow} of {@code timed} requests were slower than a reference. */
  record Tail(long slow, long timed) {}
}
