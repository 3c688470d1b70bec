package io.meshpulse.sim.model;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Picks an item with probability proportional to its weight (weighted random, seeded by the
 * caller).
 */
public final class WeightedPicker<T> {
  private final List<T> items;
  private final long[] cumulative;

  /** Items with weight 0 are never picked; at least one weight must be positive. */
  public WeightedPicker(List<T> items, long[] weights) {
    if (items.isEmpty() || items.size() != weights.length) {
      throw new IllegalArgumentException("need one weight per item and at least one item");
    }
    this.items = List.copyOf(items);
    this.cumulative = new long[weights.length];
    long sum = 0;
    for (int i = 0; i < weights.length; i++) {
      if (weights[i] < 0) {
        throw new IllegalArgumentException("negative weight " + weights[i]);
      }
      sum += weights[i];
      cumulative[i] = sum;
    }
    if (sum == 0) {
      throw new IllegalArgumentException("all weights are 0");
    }
  }

  public T pick(RandomGenerator random) {
    long r = random.nextLong(cumulative[cumulative.length - 1]);
    // the first index whose cumulative weight exceeds r (skips zero-weight items)
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] > r) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return items.get(lo);
  }

  public List<T> items() {
    return items;
  }

  public long weightOf(int index) {
    return cumulative[index] - (index == 0 ? 0 : cumulative[index - 1]);
  }
}
