package io.meshpulse.streamprocessor.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.streamprocessor.job.HealthReader.Seen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The job is cancelled, then restarted from its retained checkpoint: no window goes missing. */
class HealthJobRestoreIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path checkpoints;

  @Test
  void restartFromTheRetainedCheckpoint_losesNoWindow_ofAnyEndpoint() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
      String name = "restore";
      Configuration conf = HealthJobIT.jobConfiguration(kafka, name);
      conf.set(HealthJobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
      conf.set(HealthJobOptions.CHECKPOINT_DIRECTORY, checkpoints.toUri().toString());
      conf.set(HealthJobOptions.STATE_BACKEND, HealthJobOptions.StateBackend.ROCKSDB);

      try (TrafficGenerator traffic =
              new TrafficGenerator(kafka.bootstrapServers(), "in-" + name, name, 4, 50).start();
          HealthReader<EndpointHealth> reader =
              new HealthReader<>(kafka.bootstrapServers(), "eh-" + name, EndpointHealth.parser())) {
        long trafficStart = System.currentTimeMillis();

        StreamExecutionEnvironment first = StreamExecutionEnvironment.getExecutionEnvironment();
        HealthJob.define(first, conf);
        JobClient before = first.executeAsync(name + "-1");
        reader.awaitFirst(
            h -> h.getWindow().getEndUnixMillis() > trafficStart + 6_000, Duration.ofSeconds(40));
        awaitCompletedCheckpoint(before.getJobID().toHexString());
        before.cancel().get();
        // Chosen once the job is down: one chosen while it ran could be subsumed (deleted) by the
        // next checkpoint before the cancel took effect, and the restore would then fail.
        Path checkpoint = awaitCompletedCheckpoint(before.getJobID().toHexString());
        long cancelledAt = System.currentTimeMillis();
        Thread.sleep(2_000); // traffic keeps arriving while the job is down

        Configuration restore = new Configuration(conf);
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toString());
        // Without the restored state the source would skip the downtime's records, and the
        // windows that ended meanwhile would be missing: the check below would fail.
        restore.set(HealthJobOptions.STARTING_OFFSETS, HealthJobOptions.StartingOffsets.LATEST);
        StreamExecutionEnvironment second = StreamExecutionEnvironment.getExecutionEnvironment();
        second.configure(restore);
        HealthJob.define(second, restore);
        JobClient after = second.executeAsync(name + "-2");
        try {
          assertThat(
                  reader.awaitFirst(
                      h -> h.getWindow().getEndUnixMillis() > cancelledAt + 5_000,
                      Duration.ofSeconds(40)))
              .as("windows after the restart")
              .isNotNull();
          reader.drain(Duration.ofSeconds(1));
        } finally {
          cancelOrExplain(after);
        }
        System.out.printf(
            "[restore] restored from %s; traffic %d records%n", checkpoint, traffic.produced());

        Map<String, TreeSet<Long>> endsByEndpoint =
            reader.all().stream()
                .map(Seen::value)
                .filter(h -> h.getWindow().getEndUnixMillis() > trafficStart + 2_000)
                .collect(
                    Collectors.groupingBy(
                        RecordKeys::of,
                        Collectors.mapping(
                            h -> h.getWindow().getEndUnixMillis(),
                            Collectors.toCollection(TreeSet::new))));
        assertThat(endsByEndpoint).as("endpoints scored").hasSize(4);
        endsByEndpoint.forEach(
            (endpoint, ends) -> {
              List<Long> missing =
                  Stream.iterate(ends.first(), e -> e <= ends.last(), e -> e + 1_000)
                      .filter(e -> !ends.contains(e))
                      .toList();
              assertThat(ends.last())
                  .as("%s scored past the restart", endpoint)
                  .isGreaterThan(cancelledAt + 5_000);
              assertThat(ends.first())
                  .as("%s scored before the cancel", endpoint)
                  .isLessThan(cancelledAt - 3_000);
              assertThat(missing)
                  .as("%s: windows missing between %d and %d", endpoint, ends.first(), ends.last())
                  .isEmpty();
            });
      }
    }
  }

  /** Cancels a running job; one that failed instead is reported with the cause of its failure. */
  private static void cancelOrExplain(JobClient job) throws Exception {
    if (job.getJobStatus().get() == JobStatus.FAILED) {
      try {
        job.getJobExecutionResult().get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new AssertionError("the restored job failed", e.getCause());
      }
    }
    job.cancel().get();
  }

  private Path awaitCompletedCheckpoint(String jobId) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      Path jobDir = checkpoints.resolve(jobId);
      if (Files.isDirectory(jobDir)) {
        try (Stream<Path> dirs = Files.list(jobDir)) {
          var latest =
              dirs.filter(d -> d.getFileName().toString().startsWith("chk-"))
                  .filter(d -> Files.exists(d.resolve("_metadata")))
                  .max(Comparator.comparingInt(HealthJobRestoreIT::checkpointNumber));
          if (latest.isPresent()) {
            return latest.get();
          }
        } catch (IOException racingWithCleanup) {
          // a checkpoint directory was subsumed while listing; try again
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no completed checkpoint under " + checkpoints);
  }

  private static int checkpointNumber(Path dir) {
    return Integer.parseInt(dir.getFileName().toString().substring("chk-".length()));
  }
}
