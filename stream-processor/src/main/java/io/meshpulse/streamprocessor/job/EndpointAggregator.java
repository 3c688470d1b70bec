package io.meshpulse.streamprocessor.job;

import io.meshpulse.streamprocessor.io.Sample;
import io.meshpulse.streamprocessor.score.EndpointAggregate;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds samples into an {@link EndpointAggregate} as they arrive: no raw records in state. */
final class EndpointAggregator
    implements AggregateFunction<Sample, EndpointAggregate, EndpointAggregate> {
  private static final long serialVersionUID = 1L;

  private final long slideMillis;

  EndpointAggregator(long slideMillis) {
    this.slideMillis = slideMillis;
  }

  @Override
  public EndpointAggregate createAccumulator() {
    return new EndpointAggregate(slideMillis);
  }

  @Override
  public EndpointAggregate add(Sample sample, EndpointAggregate acc) {
    if (acc.id() == null) {
      acc.identify(sample.endpointId());
    }
    return acc.add(sample.timestampMillis, sample.outcome, sample.latencyMillis, sample.proxy);
  }

  @Override
  public EndpointAggregate getResult(EndpointAggregate acc) {
    return acc;
  }

  @Override
  public EndpointAggregate merge(EndpointAggregate a, EndpointAggregate b) {
    return a.merge(b);
  }
}
