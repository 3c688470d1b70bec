package io.meshpulse.xds;

import io.meshpulse.tls.ReloadingTlsCredentials;
import io.meshpulse.tls.TlsFiles;
import io.meshpulse.xds.alertmanager.AlertReconciler;
import io.meshpulse.xds.alertmanager.AlertmanagerApi;
import io.meshpulse.xds.alertmanager.HttpAlertmanagerApi;
import io.meshpulse.xds.api.TokenFile;
import io.meshpulse.xds.control.HealthSource;
import io.meshpulse.xds.control.OverrideStore;
import io.meshpulse.xds.control.PolicyLoop;
import io.meshpulse.xds.decision.DecisionLog;
import io.meshpulse.xds.decision.DecisionMapper;
import io.meshpulse.xds.decision.KafkaDecisionPublisher;
import io.meshpulse.xds.health.HealthStreamsConfig;
import io.meshpulse.xds.health.KafkaHealthTable;
import io.meshpulse.xds.kafka.TransactionalProducer;
import io.meshpulse.xds.lease.LeaderLease;
import io.meshpulse.xds.override.OverrideWriter;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.PolicyMode;
import io.meshpulse.xds.policy.PolicyRecovery;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.policy.RoutingPolicy;
import io.meshpulse.xds.rollout.RolloutSpec;
import io.meshpulse.xds.rollout.Rollouts;
import io.meshpulse.xds.rolloutstore.RolloutTopic;
import io.meshpulse.xds.routing.RoutingException;
import io.meshpulse.xds.routing.RoutingSource;
import io.meshpulse.xds.server.AdsServer;
import io.meshpulse.xds.server.XdsMetrics;
import io.meshpulse.xds.server.XdsPublisher;
import io.meshpulse.xds.shift.AlertShiftLog;
import io.meshpulse.xds.shift.AlertShifts;
import io.meshpulse.xds.shift.SubsetShifts;
import io.meshpulse.xds.topology.FileTopologySource;
import io.meshpulse.xds.topology.Topology;
import io.meshpulse.xds.topology.TopologyException;
import io.meshpulse.xds.topology.TopologySource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every moving part of xds-control, wired in order: topology, health table, policy loop, ADS
 * server, decision sinks. Created by Spring, usable without it.
 *
 * <p>With leader election ({@code meshpulse.xds.leader-election.enabled}) the parts that decide and
 * serve (the health table's stream, the policy loop, the ADS server, the reconciliation with
 * Alertmanager) start only once this instance holds the lease; until then it stands by, its API
 * answering reads and refusing writes as a starting instance does. When it loses the lease it
 * closes every part and calls its {@code onLeadershipLost} handler, once.
 */
public final class XdsControlRuntime implements AutoCloseable {
  /** How long a start tries to take the writes over before it reads its state back anyway. */
  static final Duration TAKE_OVER_WAIT = Duration.ofSeconds(10);

  private static final Duration TAKE_OVER_PAUSE = Duration.ofMillis(200);

  private static final Logger logger = LoggerFactory.getLogger(XdsControlRuntime.class);
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration RECONCILE_WARN_EVERY = Duration.ofMinutes(5);
  private static final Duration STORE_WRITE_WAIT = Duration.ofSeconds(3);
  private static final Duration STORE_RETRY_INTERVAL = Duration.ofSeconds(5);

  private final TopologySource topology;
  private final KafkaHealthTable health;
  private final KafkaDecisionPublisher decisionPublisher;
  private final DecisionLog decisionLog;
  private final OverrideStore overrides = new OverrideStore();
  private final OverrideWriter overrideWriter;
  private final AlertShifts alertShifts;
  private final RoutingSource routing;
  private final @Nullable SubsetShifts subsetShifts;
  private final Rollouts rollouts;
  private final RolloutTopic rolloutTopic;
  private final XdsControlProperties.Alerts alerts;
  private final List<String> webhookToken;
  private final @Nullable TokenFile tokenFile;
  private final PolicyLoop loop;
  private final XdsMetrics xdsMetrics;
  private final XdsPublisher publisher;
  private final @Nullable LeaderLease lease;
  private final Consumer<String> onLeadershipLost;
  // Set when the deciding parts start: at once, or when the lease is taken.
  private volatile @Nullable AdsServer ads;
  private volatile @Nullable AlertReconciler reconciler;
  private volatile @Nullable String lostReason;
  private final Duration reaffirmEvery;
  private final boolean dryRun;
  // What the start opened, in order: closed the last first, by close() or by a failed start.
  // Guarded by itself: the lease's thread adds the deciding parts when it takes the lease.
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private boolean closed;
  // Held while the parts close: a second close (Spring's, while the lease's thread closes after
  // losing the lease) returns only when the first is done.
  private final Object closing = new Object();

  /** A runtime that, with leader election, is only closed when it loses the lease. */
  public XdsControlRuntime(XdsControlProperties props, MeterRegistry registry, Clock clock) {
    this(props, registry, clock, reason -> {});
  }

  /**
   * @param onLeadershipLost called once, on the lease's thread, after this instance lost the lease
   *     (or failed to take it up), closed, and left the lease's group; the application exits there,
   *     to start again as a standby
   */
  public XdsControlRuntime(
      XdsControlProperties props,
      MeterRegistry registry,
      Clock clock,
      Consumer<String> onLeadershipLost) {
    this.onLeadershipLost = onLeadershipLost;
    PolicyConfig policyConfig = props.policy().toConfig();
    // A third of the decision log's read-back: a held shift always has a record that a restart
    // reads, after up to two thirds of it (10 minutes by default) with no xds-control running.
    this.reaffirmEvery = PolicyRecovery.lookback(policyConfig).dividedBy(3);
    this.dryRun = policyConfig.dryRun();
    this.alerts = props.alerts();
    // First: a missing token file fails the start before anything is opened.
    this.tokenFile =
        alerts.tokenFile() == null ? null : new TokenFile(alerts.tokenFile(), clock, registry);
    this.webhookToken = alerts.fixedTokens();
    if (!alerts.enabled()) {
      logger.warn(
          "neither meshpulse.xds.alerts.token nor token-file is set: the alert webhook is"
              + " disabled, and the API's writes (overrides, rollouts) are open to anyone who"
              + " reaches the HTTP port");
    }
    this.alertShifts = new AlertShifts(alerts.toActions(), alerts.cycleMemory());
    SubsetShifts.Config subsetConfig = props.subsetShift().toConfig(policyConfig.staleAfter());
    this.subsetShifts = subsetConfig.enabled() ? new SubsetShifts(subsetConfig) : null;
    try {
      this.topology = topologySource(props);
      opened.push(topology);
      this.routing = routingSource(props, topology);
      opened.push(routing);
      XdsControlProperties.Kafka k = props.kafka();
      // Released after every other Kafka part has closed and flushed: a standby that takes over
      // reads all the holder wrote.
      this.lease =
          props.leaderElection().enabled()
              ? new LeaderLease(
                  k.clients(),
                  props.leaderElection().toSettings(k.applicationId()),
                  new LeaderLease.Listener() {
                    @Override
                    public void acquired() {
                      activate(props, registry, clock);
                    }

                    @Override
                    public void lost(String reason) {
                      leadershipLost(reason);
                    }

                    @Override
                    public void released() {
                      String reason = lostReason;
                      if (reason != null) {
                        // Only now: the group has let the lease go, so a standby takes over at
                        // once, before this process exits.
                        XdsControlRuntime.this.onLeadershipLost.accept(reason);
                      }
                    }
                  })
              : null;
      if (lease != null) {
        opened.push(lease);
      }
      Gauge.builder("meshpulse.xds.leader", this, r -> r.leads() ? 1 : 0)
          .description(
              "1 while this xds-control decides (it holds the leader lease, or runs without leader"
                  + " election), 0 while it stands by or after it lost the lease")
          .register(registry);
      this.rolloutTopic =
          new RolloutTopic(
              k.clients(),
              k.applicationId(),
              k.rolloutsTopic(),
              STORE_WRITE_WAIT,
              STORE_RETRY_INTERVAL,
              registry);
      opened.push(rolloutTopic);
      // A declared rollout's route is checked against the routing files as they are at start.
      List<RolloutSpec> declared =
          RolloutProperties.toSpecs(props.rollouts(), topology.current(), routing.current());
      this.rollouts =
          new Rollouts(
              policyConfig.staleAfter(),
              policyConfig.degradedMinConfidence(),
              declared,
              clock.instant(),
              rolloutTopic);
      Path stateDir =
          k.stateDir() != null
              ? k.stateDir()
              : Path.of(System.getProperty("java.io.tmpdir"), "meshpulse-xds-streams");
      PolicyLoop[] loopRef = new PolicyLoop[1];
      this.health =
          new KafkaHealthTable(
              new HealthStreamsConfig(
                  k.clients(),
                  k.applicationId(),
                  stateDir,
                  k.endpointHealthTopic(),
                  k.serviceHealthTopic(),
                  k.commitInterval(),
                  lease == null ? null : lease.holder()),
              clock,
              () -> {
                PolicyLoop l = loopRef[0];
                if (l != null) {
                  l.requestEvaluation();
                }
              });
      opened.push(health);
      this.decisionPublisher =
          new KafkaDecisionPublisher(
              k.clients(),
              k.applicationId(),
              k.routingDecisionsTopic(),
              // Sent again until a restart would no longer read it.
              KafkaStateRecovery.readBack(policyConfig, subsetShifts),
              clock,
              registry);
      opened.push(decisionPublisher);
      this.decisionLog = new DecisionLog(props.decisions().capacity());
      this.overrideWriter =
          new OverrideWriter(
              overrides,
              () -> {
                PolicyLoop l = loopRef[0];
                if (l != null) {
                  l.requestEvaluation();
                }
              },
              k.clients(),
              k.applicationId(),
              k.routingOverridesTopic(),
              STORE_WRITE_WAIT,
              STORE_RETRY_INTERVAL,
              clock,
              registry);
      opened.push(overrideWriter);
      this.xdsMetrics = new XdsMetrics(registry);
      this.publisher = new XdsPublisher(xdsMetrics, props.accessLog().toOptions());
      HealthSource source =
          new HealthSource() {
            @Override
            public boolean ready() {
              // Fenced: a holder that has not renewed its lease publishes nothing more.
              return leads() && health.ready();
            }

            @Override
            public HealthTable table(Topology current) {
              return health.table(current);
            }
          };
      this.loop =
          new PolicyLoop(
              new RoutingPolicy(policyConfig),
              topology,
              source,
              overrides,
              this::shifts,
              new KafkaStateRecovery(
                  k,
                  policyConfig,
                  overrides,
                  subsetShifts,
                  alertShifts,
                  rollouts,
                  rolloutTopic,
                  this::takeOverWrites,
                  RECOVERY_TIMEOUT,
                  registry),
              routing::current,
              publisher,
              List.of(decisionLog, decisionPublisher),
              clock,
              props.loop().tick(),
              props.loop().minInterval(),
              registry);
      opened.push(loop);
      loopRef[0] = loop;
      alertShifts.checkAgainst(topology::current);
      alertShifts.onTransition(
          t -> {
            try {
              loop.execute(() -> loop.emit(AlertShiftLog.decision(t, dryRun)));
            } catch (java.util.concurrent.RejectedExecutionException e) {
              // Stopping: the shift changed in memory, which goes away with the process.
              logger.debug("alert shift transition not logged, stopping ref={}", t.fingerprint());
            }
          });
      routing.onChange(c -> loop.requestEvaluation());
      FunctionCounter.builder("meshpulse.routing.rejected", routing, RoutingSource::rejectedUpdates)
          .description("routing file updates refused; the last good configuration stays")
          .register(registry);
      FunctionCounter.builder(
              "meshpulse.health.records.malformed", health, KafkaHealthTable::malformedRecords)
          .description(
              "health records skipped because they do not decode or their key names no endpoint")
          .register(registry);
      FunctionCounter.builder(
              "meshpulse.health.records.future.dated", health, KafkaHealthTable::futureDatedRecords)
          .description(
              "health records emitted more than 1 s ahead of this clock; observed as of arrival")
          .register(registry);
      FunctionCounter.builder(
              "meshpulse.health.records.superseded", health, KafkaHealthTable::supersededRecords)
          .description(
              "health records ignored because they judge an older window than the one held for"
                  + " their key (windows scored again after a health job restart)")
          .register(registry);
      FunctionCounter.builder(
              "meshpulse.topology.rejected", topology, TopologySource::rejectedUpdates)
          .description("topology file updates refused; the last good topology stays")
          .register(registry);
      Gauge.builder("meshpulse.topology.file.rejected", topology, t -> rejected(t.lastError()))
          .description(
              "1 while the topology file's latest version is refused (the last good stays)")
          .register(registry);
      Gauge.builder("meshpulse.routing.files.rejected", routing, r -> rejected(r.lastError()))
          .description("1 while the routing files' latest version is refused (the last good stays)")
          .register(registry);
      if (lease == null) {
        activate(props, registry, clock);
      } else {
        lease.start();
      }
    } catch (RuntimeException e) {
      // Kafka Streams' and the clients' threads would keep a process that failed to start alive.
      closeOpened().forEach(e::addSuppressed);
      throw e;
    }
  }

  /** Starts the parts that decide and serve: at start, or when this instance takes the lease. */
  private void activate(XdsControlProperties props, MeterRegistry registry, Clock clock) {
    synchronized (opened) {
      if (closed) {
        return;
      }
      AdsServer server =
          new AdsServer(
              props.ads().bindAddress(),
              props.ads().port(),
              publisher,
              xdsMetrics,
              adsTls(props, registry));
      opened.push(server);
      this.ads = server;
      health.start();
      loop.start();
      if (alerts.reconciles()) {
        AlertReconciler r = reconciler(registry, clock);
        opened.push(r);
        this.reconciler = r;
      }
    }
  }

  /**
   * Takes the writes of the decision log, the overrides and the rollouts over from any earlier
   * instance of the deployment (their transactional ids), before their topics are read back: what
   * an earlier leader still had in flight is aborted, and it can write nothing more. Tried for up
   * to {@link #TAKE_OVER_WAIT}; one that Kafka does not let by then is logged, and taken over
   * before that writer's first write.
   */
  private void takeOverWrites() {
    Map<String, Runnable> writers = new LinkedHashMap<>();
    writers.put("decisions", () -> decisionPublisher.fence(this::leads));
    writers.put("overrides", () -> overrideWriter.fence(this::leads));
    writers.put("rollouts", () -> rolloutTopic.fence(this::leads));
    long deadline = System.nanoTime() + TAKE_OVER_WAIT.toNanos();
    writers.forEach(
        (what, fence) -> {
          while (true) {
            try {
              fence.run();
              return;
            } catch (RuntimeException e) {
              // Each try waits up to the writer's own wait for Kafka. Not after an interrupt (a
              // stop): the next try would fail at once, again and again.
              if (TransactionalProducer.retriable(e)
                  && !(e instanceof org.apache.kafka.common.errors.InterruptException)
                  && !Thread.currentThread().isInterrupted()
                  && System.nanoTime() < deadline) {
                try {
                  Thread.sleep(TAKE_OVER_PAUSE.toMillis());
                  continue;
                } catch (InterruptedException stop) {
                  Thread.currentThread().interrupt();
                }
              }
              logger.warn(
                  "{} writes not taken over from an earlier instance before reading them back: a"
                      + " write the earlier leader still had in flight may land after the read;"
                      + " taken over at the first write",
                  what,
                  e);
              return;
            }
          }
        });
  }

  private void leadershipLost(String reason) {
    lostReason = reason;
    // What is not stored yet would land after the next leader restored its state: dropped, not
    // sent again at close (the writers answered stored=false for it).
    overrideWriter.closeDiscarding();
    rolloutTopic.closeDiscarding();
    List<Exception> failures = closeOpened();
    ads = null;
    failures.forEach(f -> logger.warn("closing after the lost lease failed", f));
  }

  /** Closes what the start opened, the last first, going on past failures; returns them. */
  private List<Exception> closeOpened() {
    synchronized (closing) {
      List<AutoCloseable> parts;
      synchronized (opened) {
        closed = true;
        parts = new ArrayList<>(opened);
        opened.clear();
      }
      List<Exception> failures = new ArrayList<>();
      for (AutoCloseable part : parts) {
        try {
          part.close();
        } catch (Exception e) {
          failures.add(e);
        }
      }
      return failures;
    }
  }

  private static FileTopologySource topologySource(XdsControlProperties props) {
    try {
      return new FileTopologySource(props.topologyFile(), props.topologyPollInterval());
    } catch (TopologyException e) {
      throw new IllegalStateException("meshpulse.xds.topology-file: " + e.getMessage(), e);
    }
  }

  private static RoutingSource routingSource(XdsControlProperties props, TopologySource topology) {
    try {
      return props.routingFiles().isEmpty()
          ? RoutingSource.none(topology)
          : new RoutingSource(props.routingFiles(), topology, props.topologyPollInterval());
    } catch (RoutingException e) {
      throw new IllegalStateException("meshpulse.xds.routing-files: " + e.getMessage(), e);
    }
  }

  private static double rejected(Optional<String> lastError) {
    return lastError.isPresent() ? 1 : 0;
  }

  /** The ADS server's TLS credentials, read and watched as configured; none with TLS off. */
  private static @Nullable ReloadingTlsCredentials adsTls(
      XdsControlProperties props, MeterRegistry registry) {
    XdsControlProperties.AdsTls tls = props.ads().tls();
    TlsFiles files = tls.files();
    if (files == null) {
      return null;
    }
    return ReloadingTlsCredentials.open(files, tls.reloadInterval(), "xds-ads", registry);
  }

  /** Reconciliation with Alertmanager's active alerts, started at once. */
  private AlertReconciler reconciler(MeterRegistry registry, Clock clock) {
    HttpClient http = HttpAlertmanagerApi.client();
    List<AlertmanagerApi> members = new ArrayList<>();
    for (URI url : alerts.alertmanagerUrl()) {
      members.add(new HttpAlertmanagerApi(url, http));
    }
    AlertReconciler r =
        new AlertReconciler(
            members,
            alertShifts,
            loop::requestEvaluation,
            clock,
            registry,
            RECONCILE_WARN_EVERY,
            alerts.alertmanagerStartupGrace());
    logger.info(
        "alert shifts reconciled with alertmanager url={} interval={}",
        alerts.alertmanagerUrl(),
        alerts.reconcileInterval());
    r.start(alerts.reconcileInterval());
    return r;
  }

  /** The ADS server's bound port; -1 while this instance stands by (or has lost the lease). */
  public int adsPort() {
    AdsServer server = ads;
    return server == null ? -1 : server.port();
  }

  /**
   * {@code "single"} without leader election; with it {@code "standby"} until this instance takes
   * the lease, {@code "leader"} while it holds it, {@code "lost"} after.
   */
  public String role() {
    if (lostReason != null) {
      return "lost";
    }
    if (lease == null) {
      return "single";
    }
    return ads != null ? "leader" : "standby";
  }

  /**
   * Whether this instance may decide and take writes: always without leader election; with it,
   * while it holds the lease and has renewed it in time.
   */
  public boolean leads() {
    LeaderLease l = lease;
    return lostReason == null && (l == null || l.held());
  }

  /** Why this instance lost the lease, while {@link #role()} is {@code lost}. */
  public @Nullable String lostReason() {
    return lostReason;
  }

  public TopologySource topology() {
    return topology;
  }

  public KafkaHealthTable health() {
    return health;
  }

  public PolicyLoop loop() {
    return loop;
  }

  public OverrideStore overrides() {
    return overrides;
  }

  /** Sets and removes overrides: in memory at once, and on the overrides topic. */
  public OverrideWriter overrideWriter() {
    return overrideWriter;
  }

  public AlertShifts alertShifts() {
    return alertShifts;
  }

  public Rollouts rollouts() {
    return rollouts;
  }

  /** Where every rollout change is stored, and read back from at start. */
  public RolloutTopic rolloutTopic() {
    return rolloutTopic;
  }

  /**
   * The route shifts in force: rollouts first, then alerts (which may take a canary's share); on
   * the evaluation's topology and endpoint health. While the policy holds, subset shifts stay where
   * they are.
   */
  private List<RouteShift> shifts(
      Instant now, Topology current, HealthTable endpoints, PolicyMode mode) {
    List<RouteShift> shifts = new ArrayList<>();
    if (!rollouts.isEmpty()) {
      // Read the service store only when a rollout needs it.
      shifts.addAll(
          rollouts.advance(now, current, routing.current(), endpoints, health.services()));
    }
    // Silent after it spoke (a Kafka outage, say): a resolution may be the telemetry's silence.
    // Without any record ever (alert shifts without a health job), there is nothing to wait for.
    boolean pipelineSilent = mode != PolicyMode.NORMAL && endpoints.lastRecordAt() != null;
    for (RouteShift alert : alertShifts.advance(now, pipelineSilent)) {
      shifts.add(io.meshpulse.xds.shift.SubsetNames.resolve(current, alert));
    }
    if (subsetShifts != null) {
      // After rollouts and alerts: a failing canary loses whatever share they gave it.
      // They follow the subsets' health records, which fall silent with the endpoints' ones.
      shifts.addAll(subsetShifts.advance(now, current, health.services(), mode));
    }
    reaffirm(now);
    return shifts;
  }

  /**
   * Writes again the shifts held longer than a third of the decision log's read-back without a
   * record (and those taken back at start), so that a restart finds every shift in force. On the
   * loop thread.
   */
  private void reaffirm(Instant now) {
    for (AlertShifts.Reaffirmed r : alertShifts.reaffirm(now, reaffirmEvery)) {
      loop.emit(AlertShiftLog.reaffirmation(r, now, dryRun));
    }
    if (subsetShifts != null) {
      for (PolicyRecovery.LoggedShift s : subsetShifts.reaffirm(now, reaffirmEvery)) {
        loop.emit(DecisionMapper.reaffirmation(s, now, dryRun));
      }
    }
  }

  /** The alert webhook's configuration (token, actions, reconciliation). */
  public XdsControlProperties.Alerts alerts() {
    return alerts;
  }

  /**
   * The bearer tokens the webhook and the write API accept now: {@code meshpulse.xds.alerts.token},
   * or those of {@code token-file} as it reads now; empty when neither is set (the webhook is then
   * disabled).
   */
  public List<String> webhookTokens() {
    return tokenFile != null ? tokenFile.tokens() : webhookToken;
  }

  public DecisionLog decisions() {
    return decisionLog;
  }

  public XdsMetrics xdsMetrics() {
    return xdsMetrics;
  }

  public RoutingSource routing() {
    return routing;
  }

  public @Nullable String topologyError() {
    return topology.lastError().orElse(null);
  }

  @Override
  public void close() {
    List<Exception> failures = closeOpened();
    if (!failures.isEmpty()) {
      IllegalStateException failure =
          new IllegalStateException("xds-control did not close cleanly", failures.get(0));
      failures.subList(1, failures.size()).forEach(failure::addSuppressed);
      throw failure;
    }
  }
}
