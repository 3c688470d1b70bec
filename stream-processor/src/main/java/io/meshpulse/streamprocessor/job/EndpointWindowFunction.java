package io.meshpulse.streamprocessor.job;

import io.meshpulse.streamprocessor.score.EndpointAggregate;
import io.meshpulse.streamprocessor.score.EndpointStats;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Stamps a finished aggregate with its window. */
final class EndpointWindowFunction
    extends ProcessWindowFunction<EndpointAggregate, EndpointStats, String, TimeWindow> {
  private static final long serialVersionUID = 1L;

  @Override
  public void process(
      String key,
      Context context,
      Iterable<EndpointAggregate> elements,
      Collector<EndpointStats> out) {
    TimeWindow window = context.window();
    for (EndpointAggregate aggregate : elements) {
      out.collect(aggregate.snapshot(window.getStart(), window.getEnd()));
    }
  }
}
