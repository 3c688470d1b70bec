package io.meshpulse.xds.decision;

import io.meshpulse.model.v1.RoutingDecision;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/** The most recent decisions, bounded, newest first, for the API. */
public final class DecisionLog implements DecisionSink {
  private final int capacity;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private final Deque<RoutingDecision> decisions = new ArrayDeque<>();

  public DecisionLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("meshpulse.xds.decisions.capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  @Override
  public void accept(RoutingDecision decision) {
    synchronized (lock) {
      decisions.addFirst(decision);
      while (decisions.size() > capacity) {
        decisions.removeLast();
      }
    }
  }

  /**
   * @param cluster only this cluster's decisions, or every cluster's when empty
   */
  public List<RoutingDecision> recent(String cluster, int limit) {
    List<RoutingDecision> result = new ArrayList<>();
    synchronized (lock) {
      Iterator<RoutingDecision> it = decisions.iterator();
      while (it.hasNext() && result.size() < limit) {
        RoutingDecision d = it.next();
        if (cluster.isEmpty() || d.getCluster().equals(cluster)) {
          result.add(d);
        }
      }
    }
    return result;
  }
}
