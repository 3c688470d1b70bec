package io.meshpulse.xds.override;

import io.meshpulse.xds.control.OverrideStore;
import io.meshpulse.xds.kafka.CompactedWriter;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointOverride;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Applies each override change in memory at once, then stores it on the compacted overrides topic
 * (a tombstone for a removal), waiting at most {@code wait}. A change not stored in time stays
 * pending and is sent again every {@code retryInterval} until it is, so the topic catches up with
 * memory once Kafka is back; a later change of the same endpoint replaces a pending one.
 */
public final class OverrideWriter implements AutoCloseable {
  /** What a removal did: the override removed, and whether its tombstone was stored. */
  public record Removal(EndpointOverride removed, boolean stored) {}

  private final OverrideStore store;
  private final Runnable applied;
  private final Clock clock;
  private final CompactedWriter writer;
  // Held while memory and the writer's queue change together, so they change in one order.
  private final Object lock = new Object();

  /**
   * @param applied called after each change is applied in memory, before it is stored (the control
   *     loop evaluates with it at once)
   * @param applicationId the deployment's application id: its instances share the writes'
   *     transactional id ({@link CompactedWriter})
   */
  public OverrideWriter(
      OverrideStore store,
      Runnable applied,
      KafkaClientConfig kafka,
      String applicationId,
      String topic,
      Duration wait,
      Duration retryInterval,
      Clock clock,
      MeterRegistry registry) {
    this.store = store;
    this.applied = applied;
    this.clock = clock;
    this.writer =
        new CompactedWriter(
            "overrides", kafka, applicationId, topic, wait, retryInterval, registry);
  }

  /**
   * Takes the topic's writes over from an earlier instance, before the topic is read back: see
   * {@link CompactedWriter#fence}.
   */
  public void fence(java.util.function.BooleanSupplier leads) {
    writer.fence(leads);
  }

  /**
   * Sets an override: in memory at once, then on the topic.
   *
   * @return whether it was stored on the topic within the wait
   */
  public boolean set(EndpointOverride o) {
    String key = OverrideRecords.key(o.endpoint());
    synchronized (lock) {
      store.put(o);
      writer.enqueue(key, OverrideRecords.toRecord(o, clock.instant()).toByteArray());
    }
    applied.run();
    return writer.flush(key);
  }

  /** Removes an endpoint's override: from memory at once, then a tombstone on the topic. */
  public Optional<Removal> remove(EndpointId endpoint) {
    String key = OverrideRecords.key(endpoint);
    Optional<EndpointOverride> removed;
    synchronized (lock) {
      removed = store.remove(endpoint);
      if (removed.isEmpty()) {
        return Optional.empty();
      }
      writer.enqueue(key, null);
    }
    applied.run();
    return Optional.of(new Removal(removed.get(), writer.flush(key)));
  }

  /** Changes applied in memory but not yet stored on the topic. */
  public int unstored() {
    return writer.unstored();
  }

  @Override
  public void close() {
    writer.close();
  }

  /** Closes dropping the changes not stored yet ({@link CompactedWriter#closeDiscarding}). */
  public void closeDiscarding() {
    writer.closeDiscarding();
  }
}
