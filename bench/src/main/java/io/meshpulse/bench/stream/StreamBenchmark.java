package io.meshpulse.bench.stream;

import io.meshpulse.bench.Benchmark;
import io.meshpulse.bench.Settings;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.TopicSpec;
import io.meshpulse.sim.scenario.Durations;
import io.meshpulse.streamprocessor.job.HealthJob;
import io.meshpulse.streamprocessor.job.HealthJobOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * {@code ./meshpulse bench stream}: the health job on an in-process MiniCluster (one task manager,
 * {@code parallelism} slots, file checkpoints) against the embedded broker, with the job's state
 * backend: HASHMAP by default, ROCKSDB with {@code -Dmeshpulse.health.state.backend=ROCKSDB}
 * (RocksDB's files and the checkpoints go to a temporary directory, deleted at the end). {@code
 * bench/run} leaves Kafka Streams' RocksDB ({@code rocksdbjni}) off this benchmark's class path: it
 * would shadow Flink's own and the job would refuse ROCKSDB (docs/stream-processor.md). Settings,
 * as system properties {@code meshpulse.bench.stream.<name>} (default):
 *
 * <ul>
 *   <li>{@code parallelism} (2): the job's parallelism and the task manager's slots;
 *   <li>{@code endpoints} (10,000) and {@code per-second} (10): the preloaded fleet and each
 *       endpoint's requests a second;
 *   <li>{@code seconds} (20): seconds of event time preloaded;
 *   <li>{@code rounds} (3): measured rounds over the preloaded input, after one warm-up round;
 *   <li>{@code live-rate} (10,000) and {@code live-endpoints} (2,000): the live run's records a
 *       second and its fleet.
 * </ul>
 */
public final class StreamBenchmark implements Benchmark {
  private static final int PARTITIONS = 4;

  /** The task manager's managed memory: RocksDB's block cache and write buffers, both slots. */
  private static final MemorySize MANAGED_MEMORY = MemorySize.ofMebiBytes(64);

  /**
   * Flink's {@code RocksDBOptions.LOCAL_DIRECTORIES}, by key: this module does not compile against
   * the RocksDB backend.
   */
  private static final ConfigOption<String> ROCKSDB_LOCAL_DIRECTORIES =
      ConfigOptions.key("state.backend.rocksdb.localdir").stringType().noDefaultValue();

  private static final int CORES = Runtime.getRuntime().availableProcessors();
  private final int parallelism = Integer.getInteger("meshpulse.bench.stream.parallelism", 2);
  private final int endpoints = Integer.getInteger("meshpulse.bench.stream.endpoints", 10_000);
  private final int preloadSeconds = Integer.getInteger("meshpulse.bench.stream.seconds", 20);
  private final int perSecond = Integer.getInteger("meshpulse.bench.stream.per-second", 10);
  private final int rounds = Math.max(1, Integer.getInteger("meshpulse.bench.stream.rounds", 3));
  private final int liveEndpoints =
      Integer.getInteger("meshpulse.bench.stream.live-endpoints", 2_000);
  private final int liveRate = Integer.getInteger("meshpulse.bench.stream.live-rate", 10_000);
  private final Map<String, String> settings =
      Settings.fromSystemProperties(Settings.HEALTH_PREFIX);

  @Override
  public String name() {
    return "stream";
  }

  @Override
  public String description() {
    Configuration job = Configuration.fromMap(settings);
    return String.format(
        "The Flink health job (`HealthJob.define`, %s: %s windows sliding by %s, %s"
            + " out-of-orderness, at-least-once sinks, %s, file checkpoints) on an"
            + " in-process MiniCluster (1 task manager, parallelism %d) with the embedded Kafka"
            + " broker in the same JVM, %,d endpoints in clusters of %d (two subsets each), %d"
            + " proxies per cluster, 1 %% HTTP 503, ~300-byte records. **Throughput**: %,d"
            + " records (%d s of event time × %d requests/s per endpoint) produced to a"
            + " %d-partition topic once, then read from the earliest offsets by one job per round"
            + " (a first round that warms the JIT up, then %d measured rounds, each job writing"
            + " its own output topics); each round timed from the first record its job reads"
            + " (its `records_in` counter on Flink's Prometheus reporter, scraped every 20 ms)"
            + " until its endpoint-health topic holds all endpoints × %d window scores (end"
            + " offsets polled every 50 ms). Figures: the median of the measured rounds (the round"
            + " with the median job CPU), with every round listed. Per core: records per"
            + " CPU-second of the job's own threads (task, fetcher, producer and checkpoint"
            + " threads, measured with ThreadMXBean; the broker excluded), the rate the job"
            + " sustains per core it uses; the machine's cores are shared with the broker, so the"
            + " total rate ÷ the machine's cores is lower. A round whose job does not write every"
            + " window score within 150 s fails the benchmark. **Delay**:"
            + " %,d records/s round-robin over %,d endpoints (every endpoint's window is scored"
            + " every slide, so the fleet size is a load of its own), each record's delay = when"
            + " its first window's score for its endpoint is read from mesh.endpoint-health.v1 −"
            + " when it was handed to the producer (its event time). **State**: the largest"
            + " completed checkpoint's full state size ÷ endpoints (checkpoints every 10 s, the"
            + " job's default, while the preloaded input is processed; every 5 s under live"
            + " load).",
        Settings.describe(settings),
        Durations.format(job.get(HealthJobOptions.WINDOW_SIZE)),
        Durations.format(job.get(HealthJobOptions.WINDOW_SLIDE)),
        Durations.format(job.get(HealthJobOptions.OUT_OF_ORDERNESS)),
        stateBackend(job),
        parallelism,
        endpoints,
        Fleet.PER_CLUSTER,
        Fleet.PROXIES,
        (long) endpoints * perSecond * preloadSeconds,
        preloadSeconds,
        perSecond,
        PARTITIONS,
        rounds,
        PreloadedRun.windowsPerEndpoint(preloadSeconds, job),
        liveRate,
        liveEndpoints);
  }

  /**
   * {@code hashmap state}, or {@code rocksdb state (...)} with the managed memory its block cache
   * and write buffers share.
   */
  private static String stateBackend(Configuration job) {
    HealthJobOptions.StateBackend backend = job.get(HealthJobOptions.STATE_BACKEND);
    String state = backend.name().toLowerCase(Locale.ROOT) + " state";
    return backend == HealthJobOptions.StateBackend.ROCKSDB
        ? state + " (cache and write buffers in " + MANAGED_MEMORY.getMebiBytes() + " MB)"
        : state;
  }

  @Override
  public List<String> run(PrintStream progress) throws Exception {
    String loadBefore = loadAverage();
    Path work = Files.createTempDirectory("meshpulse-bench-stream");
    try {
      return run(progress, loadBefore, work);
    } finally {
      try {
        deleteRecursively(work);
      } catch (IOException e) {
        progress.printf("could not delete %s: %s%n", work, e);
      }
    }
  }

  private List<String> run(PrintStream progress, String loadBefore, Path work) throws Exception {
    Path checkpoints = work.resolve("checkpoints");
    int prometheusPort = freePort();
    Configuration reporter = new Configuration();
    reporter.set(HealthJobOptions.PROMETHEUS_PORT, prometheusPort);
    Configuration clusterConf = HealthJob.clusterConfiguration(reporter);
    clusterConf.set(RestOptions.BIND_PORT, "0");
    // Where ROCKSDB keeps its working files, beside the checkpoints (by default they would go to
    // the task manager's working directory under java.io.tmpdir).
    clusterConf.set(ROCKSDB_LOCAL_DIRECTORIES, work.resolve("rocksdb").toString());
    clusterConf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MANAGED_MEMORY);
    MiniClusterConfiguration miniConf =
        new MiniClusterConfiguration.Builder()
            .setConfiguration(clusterConf)
            .setNumTaskManagers(1)
            .setNumSlotsPerTaskManager(parallelism)
            .build();
    Fleet fleet = new Fleet(endpoints);
    JobMetricsScrape metrics = new JobMetricsScrape(prometheusPort);
    List<PreloadedRun.Result> preloaded = new ArrayList<>();
    LiveRun.Result live;
    long produced = 0;
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
        MiniCluster cluster = new MiniCluster(miniConf)) {
      cluster.start();
      progress.printf("broker and MiniCluster up; load average %s%n", loadBefore);

      PreloadedRun runner = new PreloadedRun(kafka, cluster, metrics, progress);
      String input = null;
      for (int round = 0; round <= rounds; round++) {
        Configuration pre = jobConf(kafka, "pre" + round, checkpoints, Duration.ofSeconds(10));
        if (input == null) {
          input = pre.get(HealthJobOptions.ACCESS_RECORDS_TOPIC);
          produced = runner.preload(fleet, input, preloadSeconds, perSecond, PARTITIONS);
        }
        pre.set(HealthJobOptions.ACCESS_RECORDS_TOPIC, input);
        PreloadedRun.Result result = runner.run(fleet, preloadSeconds, pre, PARTITIONS);
        progress.printf(
            "preloaded run, round %d of %d%s: %s%n",
            round, rounds, round == 0 ? " (warm-up)" : "", result);
        preloaded.add(result);
      }

      Configuration liveConf = jobConf(kafka, "live", checkpoints, Duration.ofSeconds(5));
      live =
          new LiveRun(kafka, cluster, metrics, progress)
              .run(
                  new Fleet(liveEndpoints),
                  liveRate,
                  Duration.ofSeconds(15),
                  Duration.ofSeconds(30),
                  liveConf,
                  PARTITIONS);
      progress.printf("live run: %s%n", live);
    }
    String loadAfter = loadAverage();
    return figures(preloaded, produced, live, loadBefore, loadAfter);
  }

  private List<String> figures(
      List<PreloadedRun.Result> all,
      long produced,
      LiveRun.Result live,
      String loadBefore,
      String loadAfter) {
    PreloadedRun.Result warmUp = all.get(0);
    List<PreloadedRun.Result> measured = new ArrayList<>(all.subList(1, all.size()));
    if (measured.isEmpty()) {
      measured.add(warmUp);
    }
    List<PreloadedRun.Result> byCpu = new ArrayList<>(measured);
    byCpu.sort(java.util.Comparator.comparingDouble(PreloadedRun.Result::jobCpuSeconds));
    PreloadedRun.Result pre = byCpu.get(byCpu.size() / 2);
    double perSecondTotal = pre.records() / pre.seconds();
    StringBuilder perRound = new StringBuilder();
    for (PreloadedRun.Result r : measured) {
      perRound.append(perRound.length() == 0 ? "" : ", ");
      perRound.append(String.format("%,.0f", r.records() / r.jobCpuSeconds()));
    }
    List<String> lines = new ArrayList<>();
    lines.add("| measure | value | target |");
    lines.add("| --- | --- | --- |");
    lines.add(
        row(
            "preloaded input: records read of those produced / endpoint-health records written",
            String.format(
                "%,d of %,d / %,d in %.1f s",
                pre.records(), produced, pre.healthRecords(), pre.seconds()),
            ""));
    lines.add(row("throughput, whole job", String.format("%,.0f records/s", perSecondTotal), ""));
    lines.add(
        row(
            "throughput per core of the machine (÷ "
                + CORES
                + "; the broker and the bench share the cores)",
            String.format("%,.0f records/s", perSecondTotal / CORES),
            ""));
    lines.add(
        row(
            "cores the job's threads kept busy (job CPU-s ÷ wall s)",
            String.format("%.2f", pre.jobCpuSeconds() / pre.seconds()),
            ""));
    lines.add(
        row(
            "records per CPU-second of the job's threads (records/s per core the job uses)",
            String.format(
                "%,.0f (%.1f CPU-s); rounds: %s; warm-up round: %,.0f",
                pre.records() / pre.jobCpuSeconds(),
                pre.jobCpuSeconds(),
                perRound,
                warmUp.records() / warmUp.jobCpuSeconds()),
            "≥ 100,000"));
    lines.add(
        row(
            "records per CPU-second of the whole JVM (broker included)",
            String.format(
                "%,.0f (%.1f CPU-s)",
                pre.records() / pre.processCpuSeconds(), pre.processCpuSeconds()),
            ""));
    lines.add(
        row(
            String.format(
                "delay record → score readable, live %,d records/s over %,d endpoints",
                liveRate, liveEndpoints),
            live.measured() == 0
                ? String.format(
                    "n/a: no measured record's window was scored (%,d without a score)",
                    live.missing())
                : String.format(
                    "p50 %,d ms, p90 %,d ms, **p99 %,d ms**, max %,d ms (%,d records; %,d without"
                        + " a score)",
                    live.p50(),
                    live.p90(),
                    live.p99(),
                    live.max(),
                    live.measured(),
                    live.missing()),
            ""));
    lines.add(
        row(
            "live: records sent / read by the job (it kept up when equal)",
            String.format("%,d / %,d", live.sent(), live.read()),
            ""));
    lines.add(
        row(
            String.format(
                "state per endpoint, preloaded (%d req/s per endpoint), %s",
                perSecond, checkpointName(pre.checkpoint())),
            perEndpoint(pre.checkpoint(), endpoints),
            "≤ 5 KB"));
    lines.add(
        row(
            String.format(
                "state per endpoint, live (%.0f req/s per endpoint), %s",
                (double) liveRate / liveEndpoints, checkpointName(live.checkpoint())),
            perEndpoint(live.checkpoint(), liveEndpoints),
            "≤ 5 KB"));
    lines.add(
        row(
            "late records dropped (preloaded, all rounds / live)",
            all.stream().mapToLong(PreloadedRun.Result::lateRecords).sum()
                + " / "
                + live.lateRecords(),
            "0"));
    lines.add(
        row("load average before / after (1, 5, 15 min)", loadBefore + " / " + loadAfter, ""));
    return lines;
  }

  private static String checkpointName(JobRun.CheckpointSize checkpoint) {
    return checkpoint.id() < 0 ? "no checkpoint" : "checkpoint " + checkpoint.id();
  }

  private static String perEndpoint(JobRun.CheckpointSize checkpoint, int endpoints) {
    if (checkpoint.id() < 0) {
      return "n/a: no checkpoint completed during the run";
    }
    return String.format(
        "%,d B (window stage %,d B)",
        checkpoint.totalBytes() / endpoints, checkpoint.endpointStageBytes() / endpoints);
  }

  private static String row(String measure, String value, String target) {
    return "| " + measure + " | " + value + " | " + target + " |";
  }

  private Configuration jobConf(
      EmbeddedKafka kafka, String name, Path checkpoints, Duration checkpointInterval) {
    kafka.createTopics(
        List.of(
            new TopicSpec("in-" + name, PARTITIONS, Map.of()),
            new TopicSpec("eh-" + name, PARTITIONS, Map.of()),
            new TopicSpec("sh-" + name, PARTITIONS, Map.of()),
            new TopicSpec("dl-" + name, 1, Map.of())));
    Configuration conf = Configuration.fromMap(settings);
    conf.set(HealthJobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    conf.set(HealthJobOptions.ACCESS_RECORDS_TOPIC, "in-" + name);
    conf.set(HealthJobOptions.ENDPOINT_HEALTH_TOPIC, "eh-" + name);
    conf.set(HealthJobOptions.SERVICE_HEALTH_TOPIC, "sh-" + name);
    conf.set(HealthJobOptions.DEAD_LETTER_TOPIC, "dl-" + name);
    conf.set(HealthJobOptions.GROUP_ID, "bench-" + name);
    conf.set(HealthJobOptions.STARTING_OFFSETS, HealthJobOptions.StartingOffsets.EARLIEST);
    conf.set(HealthJobOptions.MAX_RECORD_AGE, Duration.ofHours(1));
    conf.set(HealthJobOptions.CHECKPOINT_INTERVAL, checkpointInterval);
    conf.set(HealthJobOptions.CHECKPOINT_DIRECTORY, checkpoints.resolve(name).toUri().toString());
    conf.set(HealthJobOptions.PARALLELISM, parallelism);
    conf.set(HealthJobOptions.JOB_NAME, "bench-" + name);
    return conf;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + ", " + parts[1] + ", " + parts[2];
    } catch (IOException e) {
      return "n/a";
    }
  }
}
