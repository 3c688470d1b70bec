package io.meshpulse.xds.health;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the health table comes from and where its state lives.
 *
 * @param applicationId the Kafka Streams application id (consumer group, state directory name)
 */
public record HealthStreamsConfig(
    String bootstrapServers,
    String applicationId,
    Path stateDir,
    String endpointHealthTopic,
    String serviceHealthTopic,
    Duration commitInterval) {}
