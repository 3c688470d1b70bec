package io.meshpulse.bench.collector;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.MappingOptions;
import io.meshpulse.collector.mapping.NodeIdentity;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.mapping.PlainNodeMapping;
import io.meshpulse.collector.metrics.CardinalityLimits;
import io.meshpulse.collector.metrics.IstioMetrics;
import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.AccessRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
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
 * thread). Each step adds to the previous one: protobuf decode alone; + mapping to AccessRecord; +
 * record key and AccessRecord serialization (what goes to Kafka); + the Istio metrics, which is all
 * the work a gRPC thread does per entry.
 */
@State(Scope.Thread)
public class MappingBenchmark {
  private static final int MESSAGES = 64;

  private byte[][] messages = new byte[0][];
  private int next;
  private final NodeIdentity node =
      new NodeIdentityResolver(PlainNodeMapping.defaults()).resolve(EnvoyTraffic.node(3));
  private final AccessRecordMapper mapper = new AccessRecordMapper(MappingOptions.defaults());
  private final IstioMetrics istio =
      new IstioMetrics(new CardinalityLimits(1000, 10000), (metric, label) -> {});

  @Setup(Level.Trial)
  public void setUp() {
    List<StreamAccessLogsMessage> batches = EnvoyTraffic.batches(MESSAGES, 42);
    messages = new byte[MESSAGES][];
    for (int i = 0; i < MESSAGES; i++) {
      messages[i] = batches.get(i).toByteArray();
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

  private StreamAccessLogsMessage nextMessage() throws InvalidProtocolBufferException {
    byte[] bytes = messages[next];
    next = (next + 1) % messages.length;
    return StreamAccessLogsMessage.parseFrom(bytes);
  }

  @Benchmark
  @OperationsPerInvocation(EnvoyTraffic.ENTRIES_PER_MESSAGE)
  public void decode(Blackhole sink, CpuTime cpu) throws InvalidProtocolBufferException {
    StreamAccessLogsMessage message = nextMessage();
    for (HTTPAccessLogEntry entry : message.getHttpLogs().getLogEntryList()) {
      sink.consume(entry);
    }
    cpu.add(message.getHttpLogs().getLogEntryCount());
  }

  @Benchmark
  @OperationsPerInvocation(EnvoyTraffic.ENTRIES_PER_MESSAGE)
  public void decodeMap(Blackhole sink, CpuTime cpu) throws InvalidProtocolBufferException {
    StreamAccessLogsMessage message = nextMessage();
    for (HTTPAccessLogEntry entry : message.getHttpLogs().getLogEntryList()) {
      sink.consume(mapper.mapHttp(node, entry));
    }
    cpu.add(message.getHttpLogs().getLogEntryCount());
  }

  @Benchmark
  @OperationsPerInvocation(EnvoyTraffic.ENTRIES_PER_MESSAGE)
  public void decodeMapSerialize(Blackhole sink, CpuTime cpu)
      throws InvalidProtocolBufferException {
    StreamAccessLogsMessage message = nextMessage();
    for (HTTPAccessLogEntry entry : message.getHttpLogs().getLogEntryList()) {
      AccessRecord record = mapper.mapHttp(node, entry);
      sink.consume(RecordKeys.of(record).getBytes(StandardCharsets.UTF_8));
      sink.consume(record.toByteArray());
    }
    cpu.add(message.getHttpLogs().getLogEntryCount());
  }

  @Benchmark
  @OperationsPerInvocation(EnvoyTraffic.ENTRIES_PER_MESSAGE)
  public void decodeMapSerializeIstioMetrics(Blackhole sink, CpuTime cpu)
      throws InvalidProtocolBufferException {
    StreamAccessLogsMessage message = nextMessage();
    for (HTTPAccessLogEntry entry : message.getHttpLogs().getLogEntryList()) {
      AccessRecord record = mapper.mapHttp(node, entry);
      istio.record(record);
      sink.consume(RecordKeys.of(record).getBytes(StandardCharsets.UTF_8));
      sink.consume(record.toByteArray());
    }
    cpu.add(message.getHttpLogs().getLogEntryCount());
  }
}
