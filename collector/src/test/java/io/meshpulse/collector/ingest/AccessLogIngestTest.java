package io.meshpulse.collector.ingest;

import static io.meshpulse.collector.EnvoyFixtures.http;
import static io.meshpulse.collector.EnvoyFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.meshpulse.collector.EnvoyClient;
import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.MappingOptions;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.mapping.PlainNodeMapping;
import io.meshpulse.collector.metrics.CardinalityLimits;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.collector.metrics.IstioMetrics;
import io.meshpulse.collector.sink.BufferLimits;
import io.meshpulse.collector.sink.OutgoingRecord;
import io.meshpulse.collector.sink.RecordBuffer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AccessLogIngestTest {
  private final RecordBuffer buffer =
      new RecordBuffer(new BufferLimits(10, 1_000_000, 100, 10_000_000));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CollectorMetrics metrics = new CollectorMetrics(registry);

  {
    metrics.bufferGauges(buffer::records, buffer::bytes, buffer::waiting, 10, 1_000_000);
  }

  private final Server server;
  private final ManagedChannel channel;

  AccessLogIngestTest() throws Exception {
    IngestPipeline pipeline =
        new IngestPipeline(
            buffer,
            new IstioMetrics(new CardinalityLimits(100, 100), metrics::cardinalityOverflow),
            metrics,
            "records",
            "stats");
    AccessLogIngest ingest =
        new AccessLogIngest(
            new NodeIdentityResolver(PlainNodeMapping.defaults()),
            new AccessRecordMapper(MappingOptions.defaults()),
            pipeline,
            metrics,
            OpenTelemetry.noop().getTracer("test"),
            Clock.systemUTC());
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ingest.service())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void aFullBuffer_stopsReadingTheStreamUntilRecordsAreAcknowledged() throws Exception {
    List<StreamAccessLogsMessage> messages = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<HTTPAccessLogEntry> entries =
          List.of(
              http("plain-http-entry"),
              http("plain-http-entry"),
              http("plain-http-entry"),
              http("plain-http-entry"),
              http("plain-http-entry"));
      messages.add(
          i == 0
              ? EnvoyClient.first(node("plain-envoy-node"), entries)
              : EnvoyClient.http(entries));
    }

    CompletableFuture<Status> status = EnvoyClient.sendAccessLogs(channel, messages);

    assertThat(buffer.records()).as("reading stopped once the buffer was full").isEqualTo(10);
    assertThat(buffer.waiting()).as("the stream waits for room").isEqualTo(1);
    assertThat(status).as("stream still open").isNotDone();
    assertThat(registry.get("meshpulse.collector.backpressure.pauses").counter().count())
        .as("pause counted")
        .isPositive();

    int acknowledged = 0;
    while (acknowledged < 25) {
      List<OutgoingRecord> taken = buffer.take(100, Duration.ofSeconds(1));
      assertThat(taken).as("records keep coming while acknowledged").isNotEmpty();
      for (OutgoingRecord record : taken) {
        buffer.release(record);
        acknowledged++;
      }
    }

    assertThat(EnvoyClient.await(status, Duration.ofSeconds(5)).isOk())
        .as("stream completed")
        .isTrue();
    assertThat(acknowledged).as("every entry came through").isEqualTo(25);
    assertThat(
            registry.find("meshpulse.collector.records.dropped").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum())
        .as("records dropped, every reason together")
        .isZero();
  }

  @Test
  void entriesThatAreNotARequestsEnd_produceNoRecord_andAreCountedAsSkippedByType()
      throws Exception {
    List<HTTPAccessLogEntry> entries = new ArrayList<>();
    for (AccessLogType type :
        List.of(
            AccessLogType.DownstreamStart,
            AccessLogType.DownstreamPeriodic,
            AccessLogType.UpstreamEnd,
            AccessLogType.DownstreamEnd)) {
      HTTPAccessLogEntry.Builder entry = http("plain-http-entry").toBuilder();
      entry.getCommonPropertiesBuilder().setAccessLogType(type);
      entries.add(entry.build());
    }

    Status status =
        EnvoyClient.await(
            EnvoyClient.sendAccessLogs(
                channel, List.of(EnvoyClient.first(node("plain-envoy-node"), entries))),
            Duration.ofSeconds(5));

    assertThat(status.isOk()).as("stream completed").isTrue();
    assertThat(buffer.records()).as("one record: the request's end").isOne();
    assertThat(
            registry
                .get("meshpulse.collector.entries.received")
                .tag("kind", "http")
                .counter()
                .count())
        .as("entries received")
        .isEqualTo(4.0);
    assertThat(skipped("downstream_start")).as("skipped, DownstreamStart").isEqualTo(1.0);
    assertThat(skipped("downstream_periodic")).as("skipped, DownstreamPeriodic").isEqualTo(1.0);
    assertThat(skipped("upstream_end")).as("skipped, UpstreamEnd").isEqualTo(1.0);
    assertThat(skipped("other_type")).as("skipped, other types").isZero();
    assertThat(
            registry
                .get("meshpulse.collector.messages.malformed")
                .tag("reason", "unmappable_entry")
                .tag("service", "access_log")
                .counter()
                .count())
        .as("not malformed")
        .isZero();
    assertThat(
            registry.find("meshpulse.collector.records.dropped").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum())
        .as("not dropped records: they never were records")
        .isZero();
  }

  private double skipped(String reason) {
    return registry
        .get("meshpulse.collector.entries.skipped")
        .tag("reason", reason)
        .counter()
        .count();
  }

  @Test
  void cancelledStream_isANormalCloseAndCountsTheStreamClosed() throws Exception {
    var call = newCall();
    var requests = ClientCalls.asyncClientStreamingCall(call, new IgnoringObserver());
    requests.onNext(EnvoyClient.first(node("plain-envoy-node"), List.of(http("plain-http-entry"))));
    double open =
        registry
            .get("meshpulse.collector.streams.open")
            .tag("service", "access_log")
            .gauge()
            .value();

    call.cancel("proxy shutting down", null);

    assertThat(open).as("open while streaming").isEqualTo(1.0);
    assertThat(
            registry
                .get("meshpulse.collector.streams.open")
                .tag("service", "access_log")
                .gauge()
                .value())
        .as("closed after cancel")
        .isZero();
    assertThat(buffer.records()).as("the batch before the cancel was kept").isEqualTo(1);
  }

  @Test
  void aStreamCancelledWhileParked_noLongerWaitsForRoom() throws Exception {
    var call = newCall();
    var requests = ClientCalls.asyncClientStreamingCall(call, new IgnoringObserver());
    List<HTTPAccessLogEntry> ten = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ten.add(http("plain-http-entry"));
    }
    requests.onNext(EnvoyClient.first(node("plain-envoy-node"), ten));
    int parked = buffer.waiting();
    double pausedGauge = registry.get("meshpulse.collector.streams.paused").gauge().value();

    call.cancel("proxy shutting down", null);

    assertThat(parked).as("the stream parked on the full buffer").isEqualTo(1);
    assertThat(pausedGauge).as("paused gauge while parked").isEqualTo(1.0);
    assertThat(buffer.waiting()).as("no longer waiting after the cancel").isZero();
    assertThat(registry.get("meshpulse.collector.streams.paused").gauge().value())
        .as("paused gauge after the cancel")
        .isZero();
  }

  /** A raw ALS call, so a test can cancel it as a proxy going away does. */
  private io.grpc.ClientCall<
          io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage,
          StreamAccessLogsResponse>
      newCall() {
    return channel.newCall(
        io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc.getStreamAccessLogsMethod(),
        CallOptions.DEFAULT);
  }

  @Test
  void rejectedInput_isLoggedWithTheClientAndItsNode_onceInTenSecondsPerKind() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(AccessLogIngest.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      // An identified stream, then bytes that do not parse: named by its node.
      ClientCall<byte[], StreamAccessLogsResponse> raw =
          channel.newCall(
              AccessLogServiceGrpc.getStreamAccessLogsMethod().toBuilder(
                      RawMarshaller.INSTANCE,
                      ProtoUtils.marshaller(StreamAccessLogsResponse.getDefaultInstance()))
                  .build(),
              CallOptions.DEFAULT);
      StreamObserver<byte[]> requests =
          ClientCalls.asyncClientStreamingCall(raw, new IgnoringObserver());
      requests.onNext(
          EnvoyClient.first(node("plain-envoy-node"), List.of(http("plain-http-entry")))
              .toByteArray());
      requests.onNext(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01});
      // Two streams without an identifier: the second within 10 s of the first is not logged.
      for (int i = 0; i < 2; i++) {
        Status status =
            EnvoyClient.await(
                EnvoyClient.sendAccessLogs(
                    channel, List.of(EnvoyClient.http(List.of(http("plain-http-entry"))))),
                Duration.ofSeconds(5));
        assertThat(status.getCode()).as("stream %d", i).isEqualTo(Status.Code.INVALID_ARGUMENT);
      }
    } finally {
      logger.detachAppender(logs);
    }

    List<String> warnings =
        logs.list.stream()
            .filter(e -> e.getLevel() == Level.WARN)
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    assertThat(warnings).as("warnings").hasSize(2);
    assertThat(warnings.get(0))
        .as("the unparseable message")
        .contains("rejected reason=unparseable", "node=edge-proxy-1", "suppressed=0")
        .doesNotContain("peer=unknown", "peer=null");
    assertThat(warnings.get(1))
        .as("the first stream without an identifier")
        .contains("rejected reason=missing_identifier", "node=null", "suppressed=0");
    assertThat(
            registry
                .get("meshpulse.collector.messages.malformed")
                .tag("reason", "missing_identifier")
                .counter()
                .count())
        .as("both counted, the second not logged")
        .isEqualTo(2.0);
  }

  private static final class IgnoringObserver implements StreamObserver<StreamAccessLogsResponse> {
    @Override
    public void onNext(StreamAccessLogsResponse value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
