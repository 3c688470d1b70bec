package io.meshpulse.xds.health;

import io.meshpulse.xds.kafka.KafkaClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where the health table comes from and where its state lives.
 *
 * @param kafka where the brokers are, and the client properties of every client
 * @param applicationId the Kafka Streams application id (consumer group, state directory name)
 * @param instanceId with leader election, the instance's name: its Streams consumer is then a
 *     static member of the group, which leaves the group when it closes (Streams does not send a
 *     dynamic member's leave), so that the next leader's table gets the partitions at once instead
 *     of after the session timeout; null without
 */
public record HealthStreamsConfig(
    KafkaClientConfig kafka,
    String applicationId,
    Path stateDir,
    String endpointHealthTopic,
    String serviceHealthTopic,
    Duration commitInterval,
    @Nullable String instanceId) {

  public HealthStreamsConfig(
      KafkaClientConfig kafka,
      String applicationId,
      Path stateDir,
      String endpointHealthTopic,
      String serviceHealthTopic,
      Duration commitInterval) {
    this(
        kafka,
        applicationId,
        stateDir,
        endpointHealthTopic,
        serviceHealthTopic,
        commitInterval,
        null);
  }
}
