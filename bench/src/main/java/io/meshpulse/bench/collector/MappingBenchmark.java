package io.meshpulse.bench.collector;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.meshpulse.collector.mapping.AccessLogDecoder;
import io.meshpulse.collector.mapping.AccessLogMessage;
import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.MappedAccess;
import io.meshpulse.collector.mapping.MappingOptions;
import io.meshpulse.collector.mapping.NodeIdentity;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.mapping.PlainNodeMapping;
import io.meshpulse.collector.metrics.CardinalityLimits;
import io.meshpulse.collector.metrics.IstioMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH of the collector's mapping path, per Envoy entry (one invocation handles one ALS message of
 * {@value EnvoyTraffic#ENTRIES_PER_MESSAGE} entries, so scores are entries per second of one
 * thread). {@code decode} is protobuf's full parse of the message, the reference; the collector
 * reads entries off the wire instead and writes the serialized AccessRecord and its key directly
 * ({@code decodeMapSerialize}), then feeds the Istio metrics ({@code
 * decodeMapSerializeIstioMetrics}), which is all the work a gRPC thread does per entry.
 */
@State(Scope.Thread)
public class MappingBenchmark {
  private static final int MESSAGES = 64;

  private byte[][] messages = new byte[0][];
  private byte[][] withPeers = new byte[0][];
  private int next;
  private final NodeIdentity node =
      new NodeIdentityResolver(PlainNodeMapping.defaults()).resolve(EnvoyTraffic.node(3));
  private final AccessLogDecoder decoder =
      new AccessRecordMapper(MappingOptions.defaults()).newDecoder();
  private final IstioMetrics istio =
      new IstioMetrics(new CardinalityLimits(1000, 10000), (metric, label) -> {});

  @Setup(Level.Trial)
  public void setUp() {
    List<StreamAccessLogsMessage> batches = EnvoyTraffic.batches(MESSAGES, 42);
    List<StreamAccessLogsMessage> peerBatches = EnvoyTraffic.batches(MESSAGES, 42, true);
    messages = new byte[MESSAGES][];
    withPeers = new byte[MESSAGES][];
    for (int i = 0; i < MESSAGES; i++) {
      messages[i] = batches.get(i).toByteArray();
      withPeers[i] = peerBatches.get(i).toByteArray();
    }
  }

  /** Entries handled and the CPU time the benchmark thread used, per iteration. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class CpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public long entries;
    public long cpuNanos;
    private long last;

    @Setup(Level.Iteration)
    public void reset() {
      entries = 0;
      cpuNanos = 0;
      last = THREADS.getCurrentThreadCpuTime();
    }

    void add(int handled) {
      long now = THREADS.getCurrentThreadCpuTime();
      cpuNanos += now - last;
      last = now;
      entries += handled;
    }
  }

  private byte[] nextBytes() {
    return next(messages);
  }

  private byte[] next(byte[][] from) {
    byte[] bytes = from[next];
    next = (next + 1) % from.length;
    return bytes;
  }

  /** The reference: protobuf's own parse of the whole message, every field of every entry. */
  @Benchmark
  @OperationsPerInvocation(EnvoyTraffic.ENTRIES_PER_MESSAGE)
  public void decode(Blackhole sink, CpuTime cpu) throws InvalidProtocolBufferException {
    StreamAccessLogsMessage message = StreamAccessLogsMessage.parseFrom(nextBytes());
    for (HTTPAccessLogEntry entry : message.getHttpLogs().getLogEntryList()) {
      sink.consume(entry);
    }
    cpu.add(message.getHttpLogs().getLogEntryCount());
  }

  /**
   * What the collector does per message: read its top level, then map each entry from its bytes to
   * the record key and the serialized AccessRecord that go to Kafka.
   */
  @Benchmark
  @OperationsPerInvocation(EnvoyTraffic.ENTRIES_PER_MESSAGE)
  public void decodeMapSerialize(Blackhole sink, CpuTime cpu)
      throws InvalidProtocolBufferException {
    AccessLogMessage message = AccessLogMessage.read(nextBytes());
    for (int i = 0; i < message.entries(); i++) {
      MappedAccess mapped = decoder.map(node, message, i);
      sink.consume(mapped.key());
      sink.consume(mapped.value());
    }
    cpu.add(message.entries());
  }

  /** The same, plus the Istio metrics: all the work a gRPC thread does per entry. */
  @Benchmark
  @OperationsPerInvocation(EnvoyTraffic.ENTRIES_PER_MESSAGE)
  public void decodeMapSerializeIstioMetrics(Blackhole sink, CpuTime cpu)
      throws InvalidProtocolBufferException {
    mapAndRecord(nextBytes(), sink, cpu);
  }

  /**
   * The same, of entries that carry Istio's peer metadata ({@code downstream_peer} or {@code
   * upstream_peer}), as Istio 1.24 sidecars log them for istiod's access log providers.
   */
  @Benchmark
  @OperationsPerInvocation(EnvoyTraffic.ENTRIES_PER_MESSAGE)
  public void decodeMapSerializeIstioMetricsPeerMetadata(Blackhole sink, CpuTime cpu)
      throws InvalidProtocolBufferException {
    mapAndRecord(next(withPeers), sink, cpu);
  }

  private void mapAndRecord(byte[] bytes, Blackhole sink, CpuTime cpu)
      throws InvalidProtocolBufferException {
    AccessLogMessage message = AccessLogMessage.read(bytes);
    for (int i = 0; i < message.entries(); i++) {
      MappedAccess mapped = decoder.map(node, message, i);
      istio.record(mapped);
      sink.consume(mapped.key());
      sink.consume(mapped.value());
    }
    cpu.add(message.entries());
  }
}
