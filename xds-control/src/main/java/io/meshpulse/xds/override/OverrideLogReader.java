package io.meshpulse.xds.override;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meshpulse.model.v1.RoutingOverride;
import io.meshpulse.xds.control.OverrideStore;
import io.meshpulse.xds.kafka.TopicReplay;
import io.meshpulse.xds.policy.EndpointOverride;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    Map<String, byte[]> latest = new HashMap<>();
    int[] records = {0};
    replay.read(
        null,
        timeout,
        r -> {
          records[0]++;
          if (r.key() == null) {
            return;
          }
          String key = new String(r.key(), StandardCharsets.UTF_8);
          if (r.value() == null) {
            latest.remove(key);
          } else {
            latest.put(key, r.value());
          }
        });
    List<EndpointOverride> overrides = new ArrayList<>();
    int malformed = 0;
    for (byte[] value : latest.values()) {
      Optional<EndpointOverride> o;
      try {
        o = OverrideRecords.fromRecord(RoutingOverride.parseFrom(value));
      } catch (InvalidProtocolBufferException e) {
        o = Optional.empty();
      }
      if (o.isPresent()) {
        overrides.add(o.get());
      } else {
        malformed++;
      }
    }
    if (malformed > 0) {
      logger.warn("skipped undecodable overrides topic={} count={}", replay.topic(), malformed);
    }
    return new Read(overrides, records[0], malformed);
  }
}
