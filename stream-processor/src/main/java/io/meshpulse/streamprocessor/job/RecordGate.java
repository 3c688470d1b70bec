package io.meshpulse.streamprocessor.job;

import io.meshpulse.model.MeshpulseBuild;
import io.meshpulse.streamprocessor.io.Inbound;
import io.meshpulse.streamprocessor.io.OutRecord;
import io.meshpulse.streamprocessor.io.Sample;
import java.time.Clock;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The job's front door: counts every record, sends undecodable ones to the dead-letter side output,
 * and drops (and counts) records it cannot score: too old, too far in the future, or without an
 * upstream host. Never throws.
 */
final class RecordGate extends ProcessFunction<Inbound, Sample> {
  private static final long serialVersionUID = 1L;

  static final OutputTag<OutRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private final Clock clock;
  private final long maxAgeMillis;

  private transient Counter recordsIn;
  private transient Counter decodeFailures;
  private transient Counter tooOld;
  private transient Counter tooNew;
  private transient Counter withoutEndpoint;
  private transient Counter destinationReported;

  RecordGate(Clock clock, long maxAgeMillis) {
    this.clock = clock;
    this.maxAgeMillis = maxAgeMillis;
  }

  @Override
  public void open(OpenContext openContext) {
    MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(JobMetrics.GROUP);
    recordsIn = group.counter(JobMetrics.RECORDS_IN);
    decodeFailures = group.counter(JobMetrics.DECODE_FAILURES);
    tooOld = group.counter(JobMetrics.RECORDS_TOO_OLD);
    tooNew = group.counter(JobMetrics.RECORDS_TOO_NEW);
    withoutEndpoint = group.counter(JobMetrics.RECORDS_WITHOUT_ENDPOINT);
    destinationReported = group.counter(JobMetrics.RECORDS_DESTINATION_REPORTED);
    MeshpulseBuild build = MeshpulseBuild.current();
    group
        .addGroup(JobMetrics.VERSION_LABEL, build.version())
        .addGroup(JobMetrics.REVISION_LABEL, build.revision())
        .gauge(JobMetrics.BUILD_INFO, () -> 1);
  }

  @Override
  public void processElement(Inbound in, Context ctx, Collector<Sample> out) {
    recordsIn.inc();
    Sample sample = in.sample;
    if (sample == null) {
      decodeFailures.inc();
      if (in.deadLetter != null) {
        ctx.output(DEAD_LETTERS, in.deadLetter);
      }
      return;
    }
    if (in.destinationReported) {
      destinationReported.inc();
      return;
    }
    // Older than max-record-age, here or when its timestamp was assigned (then without one).
    if (sample.timestampMillis < clock.millis() - maxAgeMillis) {
      tooOld.inc();
      return;
    }
    Long timestamp = ctx.timestamp();
    if (timestamp == null || timestamp == EventTimeAssigner.NO_TIMESTAMP) {
      tooNew.inc();
      return;
    }
    if (!sample.hasEndpoint()) {
      withoutEndpoint.inc();
      return;
    }
    out.collect(sample);
  }
}
