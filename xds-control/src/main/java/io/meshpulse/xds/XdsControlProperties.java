package io.meshpulse.xds;

import io.meshpulse.model.Topics;
import io.meshpulse.xds.policy.PolicyConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of xds-control, prefix {@code meshpulse.xds} (file xds-control.yml). Validated at
 * start-up; an invalid value fails start-up with a message naming the property.
 *
 * @param topologyFile the topology YAML ({@code meshpulse.xds.topology-file})
 */
@ConfigurationProperties("meshpulse.xds")
@Validated
public record XdsControlProperties(
    @NotNull Path topologyFile,
    @DefaultValue("1s") Duration topologyPollInterval,
    @Valid @DefaultValue Ads ads,
    @Valid @DefaultValue Kafka kafka,
    @Valid @DefaultValue Policy policy,
    @Valid @DefaultValue Loop loop,
    @Valid @DefaultValue Decisions decisions) {

  /** The ADS server: {@code meshpulse.xds.ads.port} (0 = random), bind address. */
  public record Ads(
      @DefaultValue("0.0.0.0") @NotBlank String bindAddress,
      @DefaultValue("18000") @Min(0) @Max(65535) int port) {}

  /** Kafka: {@code meshpulse.xds.kafka.bootstrap-servers}, Streams application id, topics. */
  public record Kafka(
      @DefaultValue("127.0.0.1:19092") @NotBlank String bootstrapServers,
      @DefaultValue("meshpulse-xds-control") @NotBlank String applicationId,
      @Nullable Path stateDir,
      @DefaultValue(Topics.ENDPOINT_HEALTH) @NotBlank String endpointHealthTopic,
      @DefaultValue(Topics.SERVICE_HEALTH) @NotBlank String serviceHealthTopic,
      @DefaultValue(Topics.ROUTING_DECISIONS) @NotBlank String routingDecisionsTopic,
      @DefaultValue("100ms") Duration commitInterval) {}

  /** The evaluation tick, for staleness and ramps (health updates evaluate at once). */
  public record Loop(@DefaultValue("500ms") Duration tick) {}

  /** How many decisions the API keeps in memory. */
  public record Decisions(@DefaultValue("1000") @Min(1) int capacity) {}

  /** {@code meshpulse.xds.policy.*}: see docs/routing-policy.md. */
  public record Policy(
      @DefaultValue("100") int neutralWeight,
      @DefaultValue("50") int degradedWeightPercent,
      @DefaultValue("10") int rampStartPercent,
      @DefaultValue("25") int maxWeightStepPercent,
      @DefaultValue("1s") Duration stepInterval,
      @DefaultValue("5s") Duration minDwell,
      @DefaultValue("0.5") double unhealthyMinConfidence,
      @DefaultValue("0.3") double degradedMinConfidence,
      @DefaultValue("0.8") double recoverMinScore,
      @DefaultValue("20") int maxEjectionPercent,
      @DefaultValue("50") int panicThresholdPercent,
      @DefaultValue("30s") Duration baseEjectionTime,
      @DefaultValue("5m") Duration maxEjectionTime,
      @DefaultValue("10m") Duration offenceMemory,
      @DefaultValue("10s") Duration staleAfter,
      @DefaultValue("15s") Duration silentAfter,
      @DefaultValue("60s") Duration holdFor,
      @DefaultValue("false") boolean dryRun) {

    /** Builds (and so validates) the policy configuration. */
    public PolicyConfig toConfig() {
      return PolicyConfig.builder()
          .neutralWeight(neutralWeight)
          .degradedWeightPercent(degradedWeightPercent)
          .rampStartPercent(rampStartPercent)
          .maxWeightStepPercent(maxWeightStepPercent)
          .stepInterval(stepInterval)
          .minDwell(minDwell)
          .unhealthyMinConfidence(unhealthyMinConfidence)
          .degradedMinConfidence(degradedMinConfidence)
          .recoverMinScore(recoverMinScore)
          .maxEjectionPercent(maxEjectionPercent)
          .panicThresholdPercent(panicThresholdPercent)
          .baseEjectionTime(baseEjectionTime)
          .maxEjectionTime(maxEjectionTime)
          .offenceMemory(offenceMemory)
          .staleAfter(staleAfter)
          .silentAfter(silentAfter)
          .holdFor(holdFor)
          .dryRun(dryRun)
          .build();
    }
  }
}
