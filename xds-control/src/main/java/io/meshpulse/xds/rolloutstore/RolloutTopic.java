package io.meshpulse.xds.rolloutstore;

import io.meshpulse.model.v1.RolloutRecord;
import io.meshpulse.xds.kafka.CompactedWriter;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.kafka.TopicReplay;
import io.meshpulse.xds.rollout.Rollout;
import io.meshpulse.xds.rollout.RolloutRecords;
import io.meshpulse.xds.rollout.RolloutStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The rollouts topic: every change of a rollout is written in the background (the control loop
 * steps rollouts and must not wait for Kafka), and retried until stored; a removal writes a
 * tombstone. At start the topic is read from its beginning to its end: the latest record of each
 * key is the rollout as it was last stored.
 */
public final class RolloutTopic implements RolloutStore, AutoCloseable {
  private final CompactedWriter writer;
  private final TopicReplay replay;

  /**
   * @param applicationId the deployment's application id: its instances share the writes'
   *     transactional id ({@link CompactedWriter})
   */
  public RolloutTopic(
      KafkaClientConfig kafka,
      String applicationId,
      String topic,
      Duration wait,
      Duration retryInterval,
      MeterRegistry registry) {
    this.writer =
        new CompactedWriter("rollouts", kafka, applicationId, topic, wait, retryInterval, registry);
    this.replay = new TopicReplay(kafka, topic, "meshpulse-xds-rollout-log");
  }

  /**
   * Takes the topic's writes over from an earlier instance, before the topic is read back: see
   * {@link CompactedWriter#fence}.
   */
  public void fence(java.util.function.BooleanSupplier leads) {
    writer.fence(leads);
  }

  @Override
  public void changed(Rollout rollout) {
    String key = rollout.spec().key();
    writer.enqueue(key, RolloutRecords.toRecord(rollout).toByteArray());
    writer.flushLater(key);
  }

  @Override
  public void removed(String key) {
    writer.enqueue(key, null);
    writer.flushLater(key);
  }

  /** Whether the latest change of the rollout with this key is stored on the topic. */
  public boolean stored(String key) {
    return writer.stored(key);
  }

  /**
   * Sends the latest change of the rollout with this key, if it is not stored yet, and waits for it
   * as long as an override change is waited for.
   *
   * @return whether it is stored
   */
  public boolean awaitStored(String key) {
    return writer.flush(key);
  }

  /** Changes not yet stored on the topic. */
  public int unstored() {
    return writer.unstored();
  }

  /**
   * The rollouts stored: the latest record of each key.
   *
   * @param timeout for the whole read
   * @throws TimeoutException when the topic's end was not reached in time
   */
  public TopicReplay.Compacted<Rollout> read(Duration timeout) throws TimeoutException {
    return replay.readCompacted(
        timeout, v -> RolloutRecords.fromRecord(RolloutRecord.parseFrom(v)));
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
