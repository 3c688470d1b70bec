package io.meshpulse.collector.ingest;

import io.meshpulse.collector.mapping.MappedAccess;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.collector.metrics.IstioMetrics;
import io.meshpulse.collector.sink.OutgoingRecord;
import io.meshpulse.collector.sink.RecordBuffer;
import io.meshpulse.model.v1.ProxyStats;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gRPC services do with mapped records: feed the Istio metrics, serialize, and admit them
 * to the buffer (a batch past the buffer's hard limit is dropped and counted).
 */
public final class IngestPipeline {
  private final RecordBuffer buffer;
  private final IstioMetrics istioMetrics;
  private final CollectorMetrics metrics;
  private final String accessRecordsTopic;
  private final String proxyStatsTopic;

  public IngestPipeline(
      RecordBuffer buffer,
      IstioMetrics istioMetrics,
      CollectorMetrics metrics,
      String accessRecordsTopic,
      String proxyStatsTopic) {
    this.buffer = buffer;
    this.istioMetrics = istioMetrics;
    this.metrics = metrics;
    this.accessRecordsTopic = accessRecordsTopic;
    this.proxyStatsTopic = proxyStatsTopic;
  }

  /** Whether the records were admitted (false: dropped at the hard limit). */
  boolean publishAccessRecords(List<MappedAccess> records) {
    if (records.isEmpty()) {
      return true;
    }
    long now = System.currentTimeMillis();
    List<OutgoingRecord> outgoing = new ArrayList<>(records.size());
    for (MappedAccess record : records) {
      istioMetrics.record(record);
      outgoing.add(new OutgoingRecord(accessRecordsTopic, record.key(), record.value(), now));
    }
    return admit(outgoing);
  }

  boolean publishProxyStats(ProxyStats stats) {
    return admit(
        List.of(
            new OutgoingRecord(
                proxyStatsTopic,
                stats.getNodeId().getBytes(StandardCharsets.UTF_8),
                stats.toByteArray(),
                System.currentTimeMillis())));
  }

  private boolean admit(List<OutgoingRecord> outgoing) {
    if (!buffer.offer(outgoing)) {
      metrics.dropped(CollectorMetrics.DROP_BUFFER_HARD_LIMIT, outgoing.size());
      return false;
    }
    return true;
  }

  /** Requests the next message of a stream now, or once the buffer has room again. */
  void requestNext(Runnable request) {
    if (!buffer.whenRoom(request)) {
      metrics.backpressurePaused();
    }
  }

  /** Forgets a request parked by {@link #requestNext} whose stream has closed. */
  void cancelRequest(Runnable request) {
    buffer.cancel(request);
  }
}
