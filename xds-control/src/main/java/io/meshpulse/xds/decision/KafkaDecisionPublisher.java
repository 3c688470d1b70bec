package io.meshpulse.xds.decision;

import io.meshpulse.model.ProtoSerializer;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces every decision to the routing-decisions topic, keyed by cluster; never blocks the loop.
 */
public final class KafkaDecisionPublisher implements DecisionSink, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(KafkaDecisionPublisher.class);

  private final String topic;
  private final KafkaProducer<String, RoutingDecision> producer;
  private final AtomicLong failed = new AtomicLong();

  public KafkaDecisionPublisher(KafkaClientConfig kafka, String topic) {
    this.topic = topic;
    Properties p =
        kafka.client(
            "routing decisions producer",
            Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
                ProducerConfig.CLIENT_ID_CONFIG, "meshpulse-xds-decisions"));
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ProtoSerializer<>());
  }

  @Override
  public void accept(RoutingDecision decision) {
    try {
      producer.send(
          new ProducerRecord<>(topic, decision.getCluster(), decision),
          (meta, e) -> {
            if (e != null) {
              failed.incrementAndGet();
              logger.warn(
                  "decision not produced id={} cluster={}",
                  decision.getId(),
                  decision.getCluster(),
                  e);
            }
          });
    } catch (RuntimeException e) {
      failed.incrementAndGet();
      logger.warn(
          "decision not produced id={} cluster={}", decision.getId(), decision.getCluster(), e);
    }
  }

  public long failed() {
    return failed.get();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
