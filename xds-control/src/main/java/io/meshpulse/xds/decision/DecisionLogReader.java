package io.meshpulse.xds.decision;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.kafka.TopicReplay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the routing-decisions topic back from a point in time to its end as it is when the read
 * starts: what a restarted xds-control rebuilds its policy's memory from. A record that does not
 * decode is skipped and counted.
 */
public final class DecisionLogReader {
  private static final Logger logger = LoggerFactory.getLogger(DecisionLogReader.class);

  private final TopicReplay replay;

  public DecisionLogReader(KafkaClientConfig kafka, String topic) {
    this.replay = new TopicReplay(kafka, topic, "meshpulse-xds-decision-log");
  }

  /** What a read returned: the decisions, and how many records did not decode. */
  public record Read(List<RoutingDecision> decisions, int malformed) {}

  /**
   * @param since the oldest decision time to read
   * @param timeout for the whole read
   * @throws TimeoutException when the topic's end was not reached in time
   */
  public Read read(Instant since, Duration timeout) throws TimeoutException {
    List<RoutingDecision> decisions = new ArrayList<>();
    int[] malformed = {0};
    replay.read(
        since,
        timeout,
        r -> {
          if (r.value() == null) {
            return;
          }
          try {
            decisions.add(RoutingDecision.parseFrom(r.value()));
          } catch (InvalidProtocolBufferException e) {
            malformed[0]++;
          }
        });
    if (malformed[0] > 0) {
      logger.warn("skipped undecodable decisions topic={} count={}", replay.topic(), malformed[0]);
    }
    return new Read(decisions, malformed[0]);
  }
}
