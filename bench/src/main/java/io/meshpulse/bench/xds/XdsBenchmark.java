package io.meshpulse.bench.xds;

import io.meshpulse.bench.Benchmark;
import io.micrometer.core.instrument.Timer;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code ./meshpulse bench xds}: xds-control in this JVM (embedded Kafka, random ports, default
 * policy), N simulated Envoy SotW ADS streams subscribed to CDS, EDS, LDS and RDS; an operator
 * override pins one endpoint's weight of the target service (alternating two weights), and each
 * stream's delay from the request to its ACK of the new EDS version is measured. Settings (system
 * properties {@code meshpulse.bench.xds.*}): {@code streams} (100,1000), {@code changes} (5),
 * {@code warmup} (2), {@code connections} (8), {@code client-threads} (2), {@code services} (20);
 * then the health table's intake ({@link IngestRun}): {@code ingest-endpoints} (10000, 0 skips it),
 * {@code ingest-rate} records a second (20000: two per endpoint, the 500 ms slide's rate), {@code
 * ingest-seconds} (15).
 */
public final class XdsBenchmark implements Benchmark {
  private static final long TARGET_P99_MICROS = 500_000;
  private static final int[] WEIGHTS = {60, 80};

  private final List<Integer> streamCounts =
      Arrays.stream(System.getProperty("meshpulse.bench.xds.streams", "100,1000").split(","))
          .map(String::strip)
          .map(Integer::valueOf)
          .toList();
  private final int changes = Integer.getInteger("meshpulse.bench.xds.changes", 5);
  private final int warmup = Integer.getInteger("meshpulse.bench.xds.warmup", 2);
  private final int connections = Integer.getInteger("meshpulse.bench.xds.connections", 8);
  private final int clientThreads = Integer.getInteger("meshpulse.bench.xds.client-threads", 2);
  private final BenchTopology topology =
      new BenchTopology(Integer.getInteger("meshpulse.bench.xds.services", 20), 10, 3);
  private final int ingestEndpoints =
      Integer.getInteger("meshpulse.bench.xds.ingest-endpoints", 10_000);
  private final int ingestRate = Integer.getInteger("meshpulse.bench.xds.ingest-rate", 20_000);
  private final int ingestSeconds = Integer.getInteger("meshpulse.bench.xds.ingest-seconds", 15);
  private final String loadBefore = loadAverage();
  private int change;

  @Override
  public String name() {
    return "xds";
  }

  @Override
  public String description() {
    return String.format(
        Locale.ROOT,
        "One cluster's endpoint weight change pushed by xds-control to N state-of-the-world ADS"
            + " streams. xds-control runs in this JVM as the standalone runtime starts it"
            + " (SpringApplicationBuilder, default policy, embedded Kafka broker) and serves %d"
            + " services with one subset each (%d endpoints; the target service has %d), i.e. %d"
            + " CDS clusters and EDS load assignments per stream. Each simulated Envoy (built from"
            + " Envoy's API protos) subscribes CDS and LDS wildcard, then EDS for every EDS cluster"
            + " and RDS for every route, and ACKs every response; N streams share %d HTTP/2"
            + " connections on %d client event-loop threads (direct executor) in the same JVM."
            + " **Trigger**: `POST /api/v1/overrides` pinning the weight of %s in %s (alternately"
            + " %d and %d; the REST path is deterministic, a Kafka health record would add the"
            + " Streams hop measured in docs/routing-policy.md). **Delay** per stream: trigger"
            + " sent → that stream's ACK of the first new EDS version written (response received"
            + " + ACK handed to its HTTP/2 stream); %d changes per N after %d warm-up changes,"
            + " p50/p99/max over all streams × changes; *all ACKed* = per change, until the last"
            + " stream ACKed (median / worst change). **Server push** = xds-control's"
            + " `meshpulse_xds_push` timer (the snapshot handed to every open watch, which"
            + " serializes the responses on the policy loop thread). **CPU** per change, from the"
            + " trigger to the last ACK: the control plane's threads (all but the client event"
            + " loops, the benchmark thread and its HTTP client; the idle broker and GC included)"
            + " via ThreadMXBean, and the whole process (clients included). Heap: used after"
            + " System.gc() with the N streams open (clients' state included). **Intake**: then,"
            + " with no stream open, %,d endpoint-health records a second for %,d healthy"
            + " endpoints (as the health job writes them at 500 ms slides) for %d s, from a"
            + " producer thread in this JVM, twice: while the topology does not serve them, and"
            + " after it is rewritten to serve them too (100 services of 100 endpoints in subsets"
            + " v1 and v2), so every evaluation judges all of them; *applied* = updates the"
            + " health table's Streams topology made, *caught up* = from the last record sent"
            + " until all were applied, CPU in cores = CPU-seconds ÷ the phase's wall seconds"
            + " (the producer excluded), for the control plane (the embedded broker, which takes"
            + " the records, included), its policy loop thread and its Streams threads; evaluations"
            + " a second and their mean time from the loop's meshpulse_xds_policy_evaluation"
            + " timer. 2 shared cores; other"
            + " benchmarks and builds may run beside it: load average %s before the run.",
        topology.services(),
        topology.endpoints(),
        topology.targetEndpoints(),
        topology.services() * 2,
        connections,
        clientThreads,
        topology.targetEndpoint(),
        topology.target(),
        WEIGHTS[0],
        WEIGHTS[1],
        changes,
        warmup,
        ingestRate,
        ingestEndpoints,
        ingestSeconds,
        loadBefore);
  }

  @Override
  public List<String> run(PrintStream progress) throws Exception {
    Path dir = Files.createTempDirectory("meshpulse-bench-xds");
    List<String> rows = new ArrayList<>();
    List<IngestRun.Result> ingests = new ArrayList<>();
    try (ControlPlane plane = new ControlPlane(dir, topology)) {
      plane.awaitReady(Duration.ofSeconds(90));
      long idleHeap = heapAfterGc();
      progress.printf("xds-control ready, heap after GC %d MB%n", idleHeap >> 20);
      for (int streams : streamCounts) {
        rows.add(runWith(plane, streams, progress));
      }
      rows.add(
          String.format(
              Locale.ROOT, "| 0 (idle control plane) | | | | | | | | %d MB | |", idleHeap >> 20));
      if (ingestEndpoints > 0) {
        IngestRun ingest =
            new IngestRun(
                plane.bootstrapServers(),
                plane.runtime().health(),
                plane.runtime().loop().evaluations());
        Duration seconds = Duration.ofSeconds(ingestSeconds);
        ingests.add(ingest.run(false, ingestEndpoints, ingestRate, seconds, progress));
        plane.serve(
            topology.yaml() + IngestRun.servicesYaml(ingestEndpoints, 30_000),
            topology.services() + IngestRun.services(ingestEndpoints),
            Duration.ofSeconds(60));
        progress.printf("serving the %d ingest endpoints too%n", ingestEndpoints);
        ingests.add(ingest.run(true, ingestEndpoints, ingestRate, seconds, progress));
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(
        "| streams | changes | delay trigger → ACK p50 | **p99** | max | all ACKed (median /"
            + " worst change) | EDS responses per stream per change | server push (mean) |"
            + " CPU per change: control plane / process | heap used after GC | target |");
    lines.add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    lines.addAll(rows);
    lines.add("");
    if (!ingests.isEmpty()) {
      lines.add(
          "| intake: endpoints | served by the topology | records/s | for | applied / sent |"
              + " caught up after the last | control plane CPU (cores) | of which the policy loop"
              + " | evaluations a second / mean time | the Streams threads |");
      lines.add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
      ingests.forEach(r -> lines.add(r.row()));
      lines.add("");
    }
    lines.add("Load average (1, 5, 15 min) before / after: " + loadBefore + " / " + loadAverage());
    return lines;
  }

  private String runWith(ControlPlane plane, int streams, PrintStream progress) throws Exception {
    try (AdsFleet fleet =
        new AdsFleet(
            plane.adsPort(),
            streams,
            Math.min(connections, streams),
            clientThreads,
            topology.routes())) {
      long opened = System.nanoTime();
      fleet.awaitSettled(Duration.ofSeconds(120));
      progress.printf(
          "%d streams settled in %d ms%n",
          streams, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened));
      long heap = heapAfterGc();
      for (int i = 0; i < warmup; i++) {
        round(plane, fleet);
      }
      List<PushRound> rounds = new ArrayList<>();
      for (int i = 0; i < changes; i++) {
        PushRound r = round(plane, fleet);
        rounds.add(r);
        progress.printf(
            "N=%d change %d: all ACKed after %.1f ms, missing %d, server push %.1f ms,"
                + " control-plane CPU %.1f ms%n",
            streams,
            i + 1,
            r.allAckedMicros() / 1e3,
            r.missing(),
            r.serverPushNanos() / 1e6,
            r.controlPlaneCpuNanos() / 1e6);
      }
      progress.println("CPU by thread group (N=" + streams + "): " + top(rounds));
      return row(streams, rounds, heap, fleet.failedStreams());
    }
  }

  private PushRound round(ControlPlane plane, AdsFleet fleet) throws Exception {
    List<SimulatedEnvoy> envoys = fleet.envoys();
    CountDownLatch latch = new CountDownLatch(envoys.size());
    envoys.forEach(e -> e.arm(latch));
    Timer push = plane.runtime().xdsMetrics().pushTimer();
    double pushBefore = push.totalTime(TimeUnit.NANOSECONDS);
    int weight = WEIGHTS[change++ % WEIGHTS.length];
    CpuReading cpuBefore = CpuReading.now();
    long trigger = System.nanoTime();
    plane.pinWeight(topology.target(), topology.targetEndpoint(), weight);
    boolean all = latch.await(30, TimeUnit.SECONDS);
    CpuReading cpuAfter = CpuReading.now();
    Thread.sleep(300); // late or duplicate pushes show up in the EDS response count
    long[] micros =
        envoys.stream()
            .mapToLong(SimulatedEnvoy::ackNanos)
            .filter(t -> t != 0)
            .map(t -> TimeUnit.NANOSECONDS.toMicros(t - trigger))
            .sorted()
            .toArray();
    int maxResponses =
        envoys.stream().mapToInt(SimulatedEnvoy::edsResponsesSinceArmed).max().orElse(0);
    return new PushRound(
        micros,
        all ? 0 : envoys.size() - micros.length,
        maxResponses,
        cpuAfter.controlPlaneSince(cpuBefore),
        cpuAfter.processSince(cpuBefore),
        (long) (push.totalTime(TimeUnit.NANOSECONDS) - pushBefore),
        cpuAfter.groupsSince(cpuBefore));
  }

  private String row(int streams, List<PushRound> rounds, long heap, long failed) {
    long[] all =
        rounds.stream().flatMapToLong(r -> Arrays.stream(r.ackMicros())).sorted().toArray();
    long[] perChange = rounds.stream().mapToLong(PushRound::allAckedMicros).sorted().toArray();
    int missing = rounds.stream().mapToInt(PushRound::missing).sum();
    long p99 = percentile(all, 0.99);
    String target =
        streams == 1000
            ? (p99 <= TARGET_P99_MICROS && missing == 0
                ? "p99 ≤ 500 ms: met"
                : "p99 ≤ 500 ms: MISSED")
            : "";
    return String.format(
        Locale.ROOT,
        "| %,d | %d%s | %s | **%s** | %s | %s / %s | %d | %.1f ms | %.0f / %.0f ms | %d MB | %s |",
        streams,
        rounds.size(),
        missing + failed == 0
            ? ""
            : " (" + missing + " ACKs missing, " + failed + " streams failed)",
        ms(percentile(all, 0.50)),
        ms(p99),
        ms(all.length == 0 ? 0 : all[all.length - 1]),
        ms(percentile(perChange, 0.50)),
        ms(perChange.length == 0 ? 0 : perChange[perChange.length - 1]),
        rounds.stream().mapToInt(PushRound::maxEdsResponses).max().orElse(0),
        rounds.stream().mapToLong(PushRound::serverPushNanos).average().orElse(0) / 1e6,
        rounds.stream().mapToLong(PushRound::controlPlaneCpuNanos).average().orElse(0) / 1e6,
        rounds.stream().mapToLong(PushRound::processCpuNanos).average().orElse(0) / 1e6,
        heap >> 20,
        target);
  }

  private static String top(List<PushRound> rounds) {
    return PushRound.mergeGroups(rounds).entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(8)
        .map(e -> String.format(Locale.ROOT, "%s %.0f ms", e.getKey(), e.getValue() / 1e6))
        .collect(Collectors.joining("; "));
  }

  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.1f ms", micros / 1e3);
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
