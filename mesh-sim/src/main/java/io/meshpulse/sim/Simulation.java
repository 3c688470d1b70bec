package io.meshpulse.sim;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.meshpulse.sim.model.EndpointBehaviour;
import io.meshpulse.sim.model.FaultTimeline;
import io.meshpulse.sim.scenario.EndpointSpec;
import io.meshpulse.sim.scenario.ProxySpec;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ServiceSpec;
import io.meshpulse.sim.telemetry.AlsSender;
import io.meshpulse.sim.telemetry.MetricsSender;
import io.meshpulse.sim.xds.AdsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running simulated Envoy fleet. {@link #start} returns at once; the run ends by itself after the
 * scenario's duration (or at {@link #stop()}). All proxies are driven by a small scheduler pool
 * ({@code schedulerThreads}, default 2), each ticking every {@code tickInterval}.
 */
public final class Simulation implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Simulation.class);

  private final SimulationOptions options;
  private final Scenario scenario;
  private final FaultTimeline timeline;
  private final Recorder recorder;
  private final List<SimulatedProxy> proxies = new ArrayList<>();
  private final ScheduledExecutorService ticks;
  private final ScheduledExecutorService control;
  private final List<ScheduledFuture<?>> tickFutures = new ArrayList<>();
  private final @Nullable ManagedChannel collectorChannel;
  private final @Nullable ManagedChannel adsChannel;
  private final CompletableFuture<SimulationReport> done = new CompletableFuture<>();
  private final AtomicBoolean finishing = new AtomicBoolean();
  private volatile boolean running = true;
  private volatile long endEpochMs;
  private volatile ReportBuilder.@Nullable Totals finalTotals;
  private final ReportBuilder reportBuilder;
  private final java.time.Clock clock;
  private final @Nullable ManualClock manualClock;

  private Simulation(SimulationOptions options) {
    this.options = options;
    this.scenario = options.effectiveScenario();
    this.timeline = new FaultTimeline(scenario);
    this.manualClock = options.virtualTime() ? new ManualClock(options.clock().millis()) : null;
    this.clock = manualClock != null ? manualClock : options.clock();
    long start = clock.millis();
    this.recorder = new Recorder(scenario, start);
    this.ticks = executor("mesh-sim-tick", options.schedulerThreads());
    this.control = executor("mesh-sim-control", 1);
    this.collectorChannel = options.collectorTarget().map(Simulation::channel).orElse(null);
    this.adsChannel = options.adsTarget().map(Simulation::channel).orElse(null);

    Map<String, ServiceSpec> services = new LinkedHashMap<>();
    Map<String, EndpointBehaviour> behaviours = new HashMap<>();
    for (ServiceSpec s : scenario.services()) {
      services.put(s.name(), s);
      for (EndpointSpec e : s.endpoints()) {
        behaviours.put(e.hostPort(), new EndpointBehaviour(e, s.protocol()));
      }
    }
    SimulatedProxy.Context ctx =
        new SimulatedProxy.Context(
            Map.copyOf(services),
            Map.copyOf(behaviours),
            timeline,
            recorder,
            clock,
            options.defaultPanicThresholdPercent(),
            options.metricsInterval().toMillis(),
            options.outlierDetection().orElse(null),
            manualClock != null ? () -> manualClock.millis() * 1_000_000L : System::nanoTime);
    long seed = options.effectiveSeed();
    int index = 0;
    for (ProxySpec spec : scenario.proxies()) {
      for (int i = 0; i < spec.count(); i++) {
        SimulatedProxy p = new SimulatedProxy(ctx, spec, index++, seed);
        AlsSender als = null;
        MetricsSender metrics = null;
        if (collectorChannel != null) {
          als =
              new AlsSender(
                  collectorChannel,
                  p.node(),
                  "envoy.access_loggers.http_grpc",
                  options.alsMaxMessageBytes(),
                  options.alsFlushInterval().toMillis(),
                  options.alsBufferLimit(),
                  clock::millis);
          metrics = new MetricsSender(collectorChannel, p.node());
        }
        AdsClient ads = adsChannel == null ? null : new AdsClient(adsChannel, p.node(), control, p);
        p.attach(als, metrics, ads);
        proxies.add(p);
      }
    }
    this.reportBuilder =
        new ReportBuilder(
            scenario,
            seed,
            timeline,
            recorder,
            List.copyOf(proxies),
            adsChannel != null,
            options.shareWindow().toMillis());
  }

  private static ScheduledExecutorService executor(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            threads,
            r -> {
              Thread t = new Thread(r, name + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    e.setRemoveOnCancelPolicy(true);
    return e;
  }

  /**
   * A channel for the proxies' long-lived streams, without gRPC's transparent retries: a retriable
   * call keeps each message it sent (up to 1 MiB a stream) in case it must be sent again, which
   * Envoy does not, and the proxies open a failed stream again themselves.
   */
  private static ManagedChannel channel(String target) {
    return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
        .disableRetry()
        .build();
  }

  /** Starts the fleet: ADS streams, then traffic; returns at once. */
  public static Simulation start(SimulationOptions options) {
    Simulation sim = new Simulation(options);
    sim.run();
    return sim;
  }

  private void run() {
    LOG.info(
        "mesh-sim starting scenario={} proxies={} rps={} duration={} collector={} ads={}",
        scenario.name(),
        proxies.size(),
        scenario.totalRps(),
        scenario.duration(),
        options.collectorTarget().orElse("none"),
        options.adsTarget().orElse("none"));
    proxies.forEach(
        p -> {
          if (p.ads() != null) {
            p.ads().start();
          }
        });
    if (manualClock != null) {
      control.execute(this::runVirtual);
      return;
    }
    long tickUs = options.tickInterval().toNanos() / 1000;
    for (int i = 0; i < proxies.size(); i++) {
      SimulatedProxy p = proxies.get(i);
      long initialUs = tickUs * i / proxies.size();
      tickFutures.add(
          ticks.scheduleAtFixedRate(() -> tick(p), initialUs, tickUs, TimeUnit.MICROSECONDS));
    }
    control.schedule(this::finish, scenario.duration().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Virtual time: every proxy ticks at each step of the simulated clock, then the run ends. */
  private void runVirtual() {
    ManualClock c = manualClock;
    long end = recorder.startEpochMs() + scenario.duration().toMillis();
    long step = options.tickInterval().toMillis();
    proxies.forEach(this::tick);
    while (running && c.millis() < end) {
      c.advance(Math.min(step, end - c.millis()));
      proxies.forEach(this::tick);
    }
    finish();
  }

  private void tick(SimulatedProxy p) {
    synchronized (p) {
      if (!running) {
        return;
      }
      try {
        p.tick();
      } catch (RuntimeException e) {
        // never let one bad tick cancel the proxy's schedule
        LOG.warn("proxy={} tick failed", p.id(), e);
      }
    }
  }

  private void finish() {
    if (!finishing.compareAndSet(false, true)) {
      return;
    }
    try {
      running = false;
      tickFutures.forEach(f -> f.cancel(false));
      for (SimulatedProxy p : proxies) {
        synchronized (p) {
          // waits for a tick in flight, then logs the requests still in flight
          p.logInFlight();
        }
      }
      endEpochMs = clock.millis();
      long unsent = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      for (SimulatedProxy p : proxies) {
        if (p.als() != null) {
          try {
            if (!p.als().close(deadline)) {
              LOG.warn(
                  "proxy={} ALS stream did not close cleanly buffered={}",
                  p.id(),
                  p.als().buffered());
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          unsent += p.als().buffered();
        }
        if (p.metrics() != null) {
          p.metrics().close();
        }
        if (p.ads() != null) {
          p.ads().stop();
        }
      }
      finalTotals = totals(unsent);
      ticks.shutdownNow();
      shutdown(collectorChannel);
      shutdown(adsChannel);
      SimulationReport report = report();
      LOG.info(
          "mesh-sim finished scenario={} requests={} recordsSent={} dropped={} unsent={}",
          scenario.name(),
          report.requests(),
          report.recordsSent(),
          report.recordsDropped(),
          report.recordsUnsent());
      done.complete(report);
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    } finally {
      control.shutdown();
    }
  }

  private static void shutdown(@Nullable ManagedChannel channel) {
    if (channel != null) {
      channel.shutdown();
      try {
        if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        channel.shutdownNow();
      }
    }
  }

  private ReportBuilder.Totals totals(long unsent) {
    long sent = 0;
    long dropped = 0;
    long messages = 0;
    long failures = 0;
    long metrics = 0;
    long acks = 0;
    long nacks = 0;
    long reconnects = 0;
    long buffered = 0;
    for (SimulatedProxy p : proxies) {
      if (p.als() != null) {
        sent += p.als().sent();
        dropped += p.als().dropped();
        messages += p.als().messages();
        failures += p.als().streamFailures();
        buffered += p.als().buffered();
      }
      if (p.metrics() != null) {
        metrics += p.metrics().messages();
      }
      if (p.ads() != null) {
        acks += p.ads().acks();
        nacks += p.ads().nacks();
        reconnects += p.ads().reconnects();
      }
    }
    return new ReportBuilder.Totals(
        sent,
        dropped,
        running ? buffered : unsent,
        messages,
        failures,
        metrics,
        acks,
        nacks,
        reconnects);
  }

  /**
   * Blocks until the run has ended (its duration passed, or {@link #stop()}) and returns the
   * report.
   */
  public SimulationReport awaitCompletion() throws InterruptedException {
    try {
      return done.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("simulation failed", e.getCause());
    }
  }

  /** Like {@link #awaitCompletion()}, giving up after {@code timeout}. */
  public SimulationReport awaitCompletion(Duration timeout)
      throws InterruptedException, TimeoutException {
    try {
      return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("simulation failed", e.getCause());
    }
  }

  public boolean isDone() {
    return done.isDone();
  }

  /** Ends the run now (flushing ALS, closing streams) and waits until it has ended. */
  public SimulationReport stop() throws InterruptedException {
    if (!done.isDone() && manualClock != null) {
      running = false;
    } else if (!done.isDone()) {
      try {
        control.execute(this::finish);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // already finishing: the control executor shuts down when the run has ended
      }
    }
    return awaitCompletion();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  public Scenario scenario() {
    return scenario;
  }

  public long startEpochMs() {
    return recorder.startEpochMs();
  }

  /** The node ids of the simulated proxies, in order. */
  public List<String> proxyIds() {
    return proxies.stream().map(SimulatedProxy::id).toList();
  }

  /**
   * Requests the proxies sent to an endpoint ({@code address:port}) in the 100 ms bins that start
   * in [{@code fromEpochMs}, {@code toEpochMs}).
   */
  public long requests(String endpoint, long fromEpochMs, long toEpochMs) {
    long start = recorder.startEpochMs();
    return recorder.endpoints().stream()
        .filter(e -> e.hostPort.equals(endpoint))
        .mapToLong(e -> e.sum(false, fromEpochMs - start, toEpochMs - start))
        .sum();
  }

  /** The report so far (while running) or the final report. */
  public SimulationReport report() {
    ReportBuilder.Totals t = finalTotals;
    long end = t == null ? clock.millis() : endEpochMs;
    return reportBuilder.build(end, t == null ? totals(0) : t);
  }

  public Progress progress() {
    long now = clock.millis();
    double rps = 0;
    double errors = 0;
    for (EndpointStats s : recorder.endpoints()) {
      double[] last = s.lastSecond(now);
      rps += last[0];
      errors += last[0] * last[1];
    }
    ReportBuilder.Totals t = totals(0);
    return new Progress(
        (now - recorder.startEpochMs()) / 1000.0,
        rps,
        rps == 0 ? 0 : errors / rps,
        t.recordsSent(),
        t.recordsDropped(),
        t.xdsAcks(),
        t.xdsNacks(),
        recorder.endpointChanges().size(),
        recorder.routeChanges().size());
  }

  /**
   * Live per-endpoint state: last second's traffic and the proxies' current view of each endpoint.
   */
  public List<EndpointSnapshot> snapshot() {
    return LiveView.snapshot(scenario, timeline, recorder, proxies, clock.millis());
  }
}
