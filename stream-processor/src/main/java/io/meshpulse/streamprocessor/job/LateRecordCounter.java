package io.meshpulse.streamprocessor.job;

import io.meshpulse.streamprocessor.io.Sample;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Counts records that arrived after the watermark closed their windows; emits nothing. */
final class LateRecordCounter extends ProcessFunction<Sample, Sample> {
  private static final long serialVersionUID = 1L;

  private transient Counter late;

  @Override
  public void open(OpenContext openContext) {
    late =
        getRuntimeContext()
            .getMetricGroup()
            .addGroup(JobMetrics.GROUP)
            .counter(JobMetrics.LATE_RECORDS_DROPPED);
  }

  @Override
  public void processElement(Sample value, Context ctx, Collector<Sample> out) {
    late.inc();
  }
}
