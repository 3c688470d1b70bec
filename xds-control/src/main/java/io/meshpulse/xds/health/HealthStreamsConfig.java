package io.meshpulse.xds.health;

import io.meshpulse.xds.kafka.KafkaClientConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the health table comes from and where its state lives.
 *
 * @param kafka where the brokers are, and the client properties of every client
 * @param applicationId the Kafka Streams application id (consumer group, state directory name)
 */
public record HealthStreamsConfig(
    KafkaClientConfig kafka,
    String applicationId,
    Path stateDir,
    String endpointHealthTopic,
    String serviceHealthTopic,
    Duration commitInterval) {}
