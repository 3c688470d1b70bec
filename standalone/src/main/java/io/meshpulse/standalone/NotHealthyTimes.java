package io.meshpulse.standalone;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * When each endpoint was judged DEGRADED or UNHEALTHY, oldest first, for {@code memoryMs}: an
 * endpoint judged so before a fault's onset must still count when it is judged so again after it,
 * and several simulations may run in a row. Not thread-safe.
 */
final class NotHealthyTimes {
  private final long memoryMs;
  private final Map<String, ArrayDeque<Long>> times = new HashMap<>();

  NotHealthyTimes(long memoryMs) {
    this.memoryMs = memoryMs;
  }

  /** Records that {@code endpoint} was judged not healthy at {@code epochMs}. */
  void add(String endpoint, long epochMs) {
    ArrayDeque<Long> endpointTimes = times.computeIfAbsent(endpoint, k -> new ArrayDeque<>());
    endpointTimes.addLast(epochMs);
    while (endpointTimes.peekFirst() < epochMs - memoryMs) {
      endpointTimes.removeFirst();
    }
  }

  /** When any of {@code endpoints} was first judged not healthy at or after {@code since}. */
  Optional<Long> first(List<String> endpoints, long since) {
    Optional<Long> first = Optional.empty();
    for (String endpoint : endpoints) {
      for (long t : times.getOrDefault(endpoint, new ArrayDeque<>())) {
        if (t >= since) {
          if (first.isEmpty() || t < first.get()) {
            first = Optional.of(t);
          }
          break;
        }
      }
    }
    return first;
  }
}
