package io.meshpulse.bench.stream;

import io.meshpulse.streamprocessor.job.HealthJob;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/** One submission of the health job to the benchmark's MiniCluster. */
final class JobRun implements AutoCloseable {
  private final MiniCluster cluster;
  private final JobID id;

  private JobRun(MiniCluster cluster, JobID id) {
    this.cluster = cluster;
    this.id = id;
  }

  /** Builds the job exactly as {@code HealthJob.define} does and submits it to {@code cluster}. */
  static JobRun submit(MiniCluster cluster, Configuration conf, String name) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    HealthJob.define(env, conf);
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(name);
    return new JobRun(cluster, cluster.submitJob(graph).get().getJobID());
  }

  void awaitRunning(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
      boolean running = true;
      for (AccessExecutionJobVertex v : graph.getVerticesTopologically()) {
        running &= v.getAggregateState() == ExecutionState.RUNNING;
      }
      if (running) {
        return;
      }
      if (graph.getState().isGloballyTerminalState()) {
        throw new IllegalStateException("job " + id + " ended: " + graph.getState());
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("job " + id + " not running after " + timeout);
  }

  /** State sizes of one completed checkpoint: the whole job and the per-endpoint window stage. */
  record CheckpointSize(long id, long totalBytes, long endpointStageBytes) {}

  /** The completed checkpoint with the most state, if any completed. */
  Optional<CheckpointSize> largestCheckpoint() throws Exception {
    AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
    CheckpointSize largest = null;
    for (AbstractCheckpointStats c :
        graph.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
      if (c.getStatus() != CheckpointStatsStatus.COMPLETED) {
        continue;
      }
      long endpointStage = 0;
      for (AccessExecutionJobVertex v : graph.getVerticesTopologically()) {
        if (v.getName().contains("endpoint windows")
            && c.getTaskStateStats(v.getJobVertexId()) != null) {
          endpointStage += c.getTaskStateStats(v.getJobVertexId()).getStateSize();
        }
      }
      if (largest == null || c.getStateSize() > largest.totalBytes()) {
        largest = new CheckpointSize(c.getCheckpointId(), c.getStateSize(), endpointStage);
      }
    }
    return Optional.ofNullable(largest);
  }

  @Override
  public void close() throws Exception {
    cluster.cancelJob(id).get();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline
        && !cluster.getJobStatus(id).get().isGloballyTerminalState()) {
      Thread.sleep(50);
    }
  }
}
