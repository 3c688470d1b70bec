package io.meshpulse.streamprocessor.job;

import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.streamprocessor.io.Sample;

/** Access records and samples for operator tests. */
final class TestSamples {
  private TestSamples() {}

  /** A request of {@code latencyMillis} that completed at {@code timestampMillis}. */
  static AccessRecord record(
      String cluster, int host, long timestampMillis, int status, long latencyMillis) {
    return AccessRecord.newBuilder()
        .setCluster(cluster)
        .setNodeId("proxy-" + (timestampMillis % 3))
        .setEndpoint(Endpoint.newBuilder().setAddress("10.0.0." + host).setPort(8080))
        .setResponseCode(status)
        .setResponseFlagsText("-")
        .setStartTimeUnixMicros((timestampMillis - latencyMillis) * 1000)
        .setDurationMicros(latencyMillis * 1000)
        .build();
  }

  static Sample sample(
      String cluster, int host, long timestampMillis, int status, long latencyMillis) {
    return Sample.of(record(cluster, host, timestampMillis, status, latencyMillis));
  }
}
