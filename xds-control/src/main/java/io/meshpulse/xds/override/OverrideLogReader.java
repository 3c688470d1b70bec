package io.meshpulse.xds.override;

import io.meshpulse.model.v1.RoutingOverride;
import io.meshpulse.xds.control.OverrideStore;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.kafka.TopicReplay;
import io.meshpulse.xds.policy.EndpointOverride;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the overrides topic from its beginning to its end as it is when the read starts: the latest
 * record of each key is the override in force, a tombstone means none. A record that does not
 * decode, or holds no valid override, is skipped and counted.
 */
public final class OverrideLogReader {
  private static final Logger logger = LoggerFactory.getLogger(OverrideLogReader.class);

  private final TopicReplay replay;

  public OverrideLogReader(KafkaClientConfig kafka, String topic) {
    this.replay = new TopicReplay(kafka, topic, "meshpulse-xds-override-log");
  }

  /**
   * Restores the overrides in force into {@code store}; when the topic cannot be read within {@code
   * timeout}, logs a warning and restores none. Never throws.
   *
   * @return whether the topic was read
   */
  public boolean restoreInto(OverrideStore store, Duration timeout) {
    try {
      TopicReplay.Compacted<EndpointOverride> read = read(timeout);
      int restored = store.restore(read.values());
      logger.info(
          "overrides restored from the overrides topic topic={} records={} count={}",
          replay.topic(),
          read.records(),
          restored);
      return true;
    } catch (TimeoutException | RuntimeException e) {
      logger.warn(
          "overrides topic not read; starting without the operator overrides topic={}",
          replay.topic(),
          e);
      return false;
    }
  }

  /**
   * The overrides in force: the latest record of each key.
   *
   * @param timeout for the whole read
   * @throws TimeoutException when the topic's end was not reached in time
   */
  public TopicReplay.Compacted<EndpointOverride> read(Duration timeout) throws TimeoutException {
    return replay.readCompacted(
        timeout, v -> OverrideRecords.fromRecord(RoutingOverride.parseFrom(v)));
  }
}
