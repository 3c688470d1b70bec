package io.meshpulse.xds.override;

import io.meshpulse.model.v1.RoutingOverride;
import io.meshpulse.xds.control.OverrideStore;
import io.meshpulse.xds.kafka.TopicReplay;
import io.meshpulse.xds.policy.EndpointOverride;
import java.time.Duration;
import java.util.List;
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

  public OverrideLogReader(String bootstrapServers, String topic) {
    this.replay = new TopicReplay(bootstrapServers, topic, "meshpulse-xds-override-log");
  }

  /** What a read returned: the overrides in force, records read, records skipped. */
  public record Read(List<EndpointOverride> overrides, int records, int malformed) {}

  /**
   * Restores the overrides in force into {@code store}; when the topic cannot be read within {@code
   * timeout}, logs a warning and restores none. Never throws.
   *
   * @return how many overrides were restored
   */
  public int restoreInto(OverrideStore store, Duration timeout) {
    try {
      Read read = read(timeout);
      int restored = store.restore(read.overrides());
      logger.info(
          "overrides restored from the overrides topic topic={} records={} count={}",
          replay.topic(),
          read.records(),
          restored);
      return restored;
    } catch (TimeoutException | RuntimeException e) {
      logger.warn(
          "overrides topic not read; starting without the operator overrides topic={}",
          replay.topic(),
          e);
      return 0;
    }
  }

  /**
   * @param timeout for the whole read
   * @throws TimeoutException when the topic's end was not reached in time
   */
  public Read read(Duration timeout) throws TimeoutException {
    TopicReplay.Latest latest = replay.latestByKey(timeout);
    TopicReplay.Decoded<EndpointOverride> decoded =
        latest.decode(v -> OverrideRecords.fromRecord(RoutingOverride.parseFrom(v)));
    if (decoded.malformed() > 0) {
      logger.warn(
          "skipped undecodable overrides topic={} count={}", replay.topic(), decoded.malformed());
    }
    return new Read(decoded.values(), latest.records(), decoded.malformed());
  }
}
