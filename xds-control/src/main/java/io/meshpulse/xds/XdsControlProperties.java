package io.meshpulse.xds;

import io.meshpulse.model.Topics;
import io.meshpulse.tls.TlsFiles;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.shift.ShiftAction;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of xds-control, prefix {@code meshpulse.xds} (file xds-control.yml). Validated at
 * start-up; an invalid value fails start-up with a message naming the property.
 *
 * @param topologyFile the topology YAML ({@code meshpulse.xds.topology-file})
 * @param rollouts progressive rollouts declared at start-up ({@code meshpulse.xds.rollouts[i].*})
 * @param routingFiles gateways and virtual services ({@code meshpulse.xds.routing-files}, YAML, see
 *     docs/routing.md); re-read like the topology, validated against it before they are served
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
    @Valid @DefaultValue Decisions decisions,
    @Valid @DefaultValue Alerts alerts,
    @DefaultValue List<RolloutProperties> rollouts,
    @DefaultValue List<Path> routingFiles,
    @Valid @DefaultValue SubsetShift subsetShift,
    @Valid @DefaultValue AccessLog accessLog,
    @Valid @DefaultValue Api api,
    @Valid @DefaultValue LeaderElection leaderElection) {

  public XdsControlProperties {
    if (topologyPollInterval.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException(
          "meshpulse.xds.topology-poll-interval must be at least 1ms: " + topologyPollInterval);
    }
  }

  /**
   * Leader election, {@code meshpulse.xds.leader-election.*}: with {@code enabled}, several
   * instances of one deployment (one Kafka application id) compete for a lease on the one-partition
   * topic {@code topic} (created when missing); the holder decides and serves ADS, the others stand
   * by (not ready, no ADS port) and one takes over within {@code lease-duration} when the holder
   * dies, at once when it shuts down. An instance that loses the lease exits, to start again as a
   * standby. {@code holder} names the instance (default: the host name). See {@link
   * io.meshpulse.xds.lease.LeaderLease} and docs/kubernetes.md.
   */
  public record LeaderElection(
      @DefaultValue("false") boolean enabled,
      @DefaultValue(Topics.XDS_CONTROL_LEASE) @NotBlank String topic,
      @DefaultValue("10s") Duration leaseDuration,
      @Nullable String holder) {
    public LeaderElection {
      if (leaseDuration.compareTo(io.meshpulse.xds.lease.LeaderLease.Settings.MIN_DURATION) < 0
          || leaseDuration.compareTo(io.meshpulse.xds.lease.LeaderLease.Settings.MAX_DURATION)
              > 0) {
        throw new IllegalArgumentException(
            "meshpulse.xds.leader-election.lease-duration must be between 6s (the brokers' default"
                + " group.min.session.timeout.ms) and 5m: "
                + leaseDuration);
      }
      if (holder != null && holder.isBlank()) {
        throw new IllegalArgumentException(
            "meshpulse.xds.leader-election.holder is set but blank: name the instance, or leave"
                + " it unset for the host name");
      }
    }

    /** The lease's settings: the group is the application id's, suffixed {@code -leader}. */
    public io.meshpulse.xds.lease.LeaderLease.Settings toSettings(String applicationId) {
      return new io.meshpulse.xds.lease.LeaderLease.Settings(
          topic, applicationId + "-leader", holder != null ? holder : hostName(), leaseDuration);
    }

    /**
     * {@code HOSTNAME} where it is set (a container's: under Kubernetes the pod name); else the
     * host's name and the process id, so that two instances on one host differ.
     */
    private static String hostName() {
      String env = System.getenv("HOSTNAME");
      if (env != null && !env.isBlank()) {
        return env;
      }
      long pid = ProcessHandle.current().pid();
      try {
        return java.net.InetAddress.getLocalHost().getHostName() + "-" + pid;
      } catch (java.net.UnknownHostException e) {
        return "xds-control-" + pid;
      }
    }
  }

  /**
   * The HTTP API, {@code meshpulse.xds.api.*}: a request body larger than {@code max-request-size}
   * is refused with 413 before it is read into memory (the webhook, overrides and rollouts).
   */
  public record Api(@DefaultValue("4MB") DataSize maxRequestSize) {
    public Api {
      if (maxRequestSize.toBytes() < 1024 || maxRequestSize.toBytes() > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "meshpulse.xds.api.max-request-size must be between 1KB and 2GB: " + maxRequestSize);
      }
    }
  }

  /**
   * The access log served to Envoys, {@code meshpulse.xds.access-log.*}: Envoy's gRPC access logger
   * sending to the collector through the bootstrap cluster {@code cluster} (empty: no access log),
   * flushing every {@code flush-interval}.
   */
  public record AccessLog(
      @DefaultValue("meshpulse_collector") String cluster,
      @DefaultValue("100ms") Duration flushInterval) {
    public io.meshpulse.xds.snapshot.AccessLogOptions toOptions() {
      try {
        return new io.meshpulse.xds.snapshot.AccessLogOptions(cluster, flushInterval);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("meshpulse.xds.access-log: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Health-driven subset shifts, {@code meshpulse.xds.subset-shift.*}: a subset whose own health
   * record is UNHEALTHY (a bad canary) loses its route weight to a healthy subset; see {@link
   * io.meshpulse.xds.shift.SubsetShifts} and docs/routing-policy.md.
   */
  public record SubsetShift(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("100") long minRequests,
      @DefaultValue("30s") Duration hold,
      @DefaultValue("25") int restoreStep,
      @DefaultValue("5s") Duration restoreInterval,
      @DefaultValue("50") int maxSharePercent) {
    /** Builds (and so validates) the settings; {@code staleAfter} is the policy's. */
    public io.meshpulse.xds.shift.SubsetShifts.Config toConfig(Duration staleAfter) {
      try {
        return new io.meshpulse.xds.shift.SubsetShifts.Config(
            enabled, minRequests, staleAfter, hold, restoreStep, restoreInterval, maxSharePercent);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("meshpulse.xds.subset-shift: " + e.getMessage(), e);
      }
    }
  }

  /**
   * The Alertmanager webhook, {@code POST /api/v1/alerts}: {@code meshpulse.xds.alerts.token} is
   * the bearer token Alertmanager must send (env {@code MESHPULSE_XDS_ALERTS_TOKEN}), or {@code
   * token-file} a file of accepted tokens, one a line, read again when it changes so that a token
   * can be rotated without a restart (see {@link io.meshpulse.xds.api.TokenFile}); at most one of
   * the two. Without either the webhook is disabled. {@code actions} map alert labels to route
   * shifts. With {@code alertmanager-url} (members of one Alertmanager cluster, comma separated)
   * the shifts are reconciled with its active alerts at start and every {@code reconcile-interval};
   * the answers of an Alertmanager up for less than {@code alertmanager-startup-grace} resolve no
   * shift. An alert that fires again within {@code cycle-memory} of its resolution waits longer
   * before its next restore.
   */
  public record Alerts(
      @Nullable String token,
      @Nullable Path tokenFile,
      @DefaultValue List<@Valid Action> actions,
      @DefaultValue List<URI> alertmanagerUrl,
      @DefaultValue("1m") Duration reconcileInterval,
      @DefaultValue("5m") Duration alertmanagerStartupGrace,
      @DefaultValue("30m") Duration cycleMemory) {
    public Alerts {
      if (token != null && token.isBlank()) {
        // An empty secret key, say: without a token the write API would be open to anyone.
        throw new IllegalArgumentException(
            "meshpulse.xds.alerts.token is set but blank: give the token, or leave the property"
                + " unset to run without one (the webhook disabled, the API's writes open)");
      }
      if (token != null && tokenFile != null) {
        throw new IllegalArgumentException(
            "meshpulse.xds.alerts.token and meshpulse.xds.alerts.token-file are both set:"
                + " set only one (token-file to rotate the token without a restart)");
      }
      alertmanagerUrl = List.copyOf(alertmanagerUrl);
      for (URI url : alertmanagerUrl) {
        boolean http = "http".equals(url.getScheme()) || "https".equals(url.getScheme());
        if (!http || url.getHost() == null || url.getQuery() != null) {
          throw new IllegalArgumentException(
              "meshpulse.xds.alerts.alertmanager-url must list http(s)://host[:port][/prefix]"
                  + " base URLs: "
                  + url);
        }
      }
      if (reconcileInterval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException(
            "meshpulse.xds.alerts.reconcile-interval must be at least 1s: " + reconcileInterval);
      }
      if (alertmanagerStartupGrace.isNegative()) {
        throw new IllegalArgumentException(
            "meshpulse.xds.alerts.alertmanager-startup-grace must not be negative: "
                + alertmanagerStartupGrace);
      }
      if (cycleMemory.isNegative()) {
        throw new IllegalArgumentException(
            "meshpulse.xds.alerts.cycle-memory must not be negative: " + cycleMemory);
      }
    }

    /** Whether the shifts are reconciled with Alertmanager's API. */
    public boolean reconciles() {
      return !alertmanagerUrl.isEmpty();
    }

    /** Whether the webhook accepts alerts: with a token or a token file. */
    public boolean enabled() {
      return !fixedTokens().isEmpty() || tokenFile != null;
    }

    /** {@code token} as the list of tokens in force: empty when it is unset. */
    public List<String> fixedTokens() {
      return token == null ? List.of() : List.of(token.strip());
    }

    public List<ShiftAction> toActions() {
      List<ShiftAction> result = new java.util.ArrayList<>();
      for (int i = 0; i < actions.size(); i++) {
        try {
          result.add(actions.get(i).toAction());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "meshpulse.xds.alerts.actions[" + i + "]: " + e.getMessage(), e);
        }
      }
      return result;
    }
  }

  /**
   * One alert → shift mapping, {@code meshpulse.xds.alerts.actions[i].*}; see {@link ShiftAction}.
   */
  public record Action(
      @DefaultValue Map<String, String> match,
      @DefaultValue("destination_service_name") String serviceLabel,
      @DefaultValue("destination_version") String subsetLabel,
      @DefaultValue("") String shiftTo,
      @DefaultValue("50") int step,
      @DefaultValue("0") int floor,
      @DefaultValue("1s") Duration stepInterval,
      @DefaultValue("25") int restoreStep,
      @DefaultValue("5s") Duration restoreInterval,
      @DefaultValue("") String route) {
    ShiftAction toAction() {
      return new ShiftAction(
          match,
          serviceLabel,
          subsetLabel,
          shiftTo,
          step,
          floor,
          stepInterval,
          restoreStep,
          restoreInterval,
          route);
    }
  }

  /** The ADS server: {@code meshpulse.xds.ads.port} (0 = random), bind address, TLS. */
  public record Ads(
      @DefaultValue("0.0.0.0") @NotBlank String bindAddress,
      @DefaultValue("18000") @Min(0) @Max(65535) int port,
      @DefaultValue AdsTls tls) {}

  /**
   * TLS on the ADS server ({@code meshpulse.xds.ads.tls.*}). With {@code trust-ca} set, proxies
   * must present a certificate signed by it (mTLS). The files are read again every {@code
   * reload-interval} and, when they changed, serve the connections opened from then on ({@code 0}:
   * read once, at start).
   */
  public record AdsTls(
      @DefaultValue("false") boolean enabled,
      @Nullable Path certChain,
      @Nullable Path privateKey,
      @Nullable Path trustCa,
      @DefaultValue("1m") Duration reloadInterval) {
    private static final String PREFIX = "meshpulse.xds.ads.tls";

    public AdsTls {
      TlsFiles.of(PREFIX, enabled, certChain, privateKey, trustCa, reloadInterval);
    }

    /** The files, or none with TLS off. */
    public @Nullable TlsFiles files() {
      return TlsFiles.of(PREFIX, enabled, certChain, privateKey, trustCa, reloadInterval);
    }
  }

  /**
   * Kafka: {@code meshpulse.xds.kafka.bootstrap-servers}, Streams application id, topics, and
   * {@code properties.*}, client properties every Kafka client of xds-control gets (TLS, SASL).
   */
  public record Kafka(
      @DefaultValue("127.0.0.1:19092") @NotBlank String bootstrapServers,
      @DefaultValue("meshpulse-xds-control") @NotBlank String applicationId,
      @Nullable Path stateDir,
      @DefaultValue(Topics.ENDPOINT_HEALTH) @NotBlank String endpointHealthTopic,
      @DefaultValue(Topics.SERVICE_HEALTH) @NotBlank String serviceHealthTopic,
      @DefaultValue(Topics.ROUTING_DECISIONS) @NotBlank String routingDecisionsTopic,
      @DefaultValue(Topics.ROUTING_OVERRIDES) @NotBlank String routingOverridesTopic,
      @DefaultValue(Topics.ROLLOUTS) @NotBlank String rolloutsTopic,
      @DefaultValue("100ms") Duration commitInterval,
      @DefaultValue Map<String, String> properties) {
    public Kafka {
      properties = Map.copyOf(properties);
      new KafkaClientConfig(bootstrapServers, properties);
      if (commitInterval.isNegative() || commitInterval.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "meshpulse.xds.kafka.commit-interval must be between 0 and "
                + Integer.MAX_VALUE
                + " ms: "
                + commitInterval);
      }
    }

    /** Where and how every Kafka client of xds-control connects. */
    public KafkaClientConfig clients() {
      return new KafkaClientConfig(bootstrapServers, properties);
    }
  }

  /**
   * The evaluation tick, for staleness and ramps, and the least time between two evaluations'
   * starts (health updates evaluate at once, at most once per {@code min-interval}).
   */
  public record Loop(
      @DefaultValue("500ms") Duration tick, @DefaultValue("50ms") Duration minInterval) {
    public Loop {
      if (tick.isNegative() || tick.isZero()) {
        throw new IllegalArgumentException("meshpulse.xds.loop.tick must be positive: " + tick);
      }
      if (minInterval.isNegative() || minInterval.compareTo(tick) > 0) {
        throw new IllegalArgumentException(
            "meshpulse.xds.loop.min-interval must be between 0 and the tick ("
                + tick
                + "): "
                + minInterval);
      }
    }
  }

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
      @DefaultValue("0.9") double recoverMinScore,
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
