package io.meshpulse.collector;

import static io.meshpulse.collector.EnvoyFixtures.http;
import static io.meshpulse.collector.EnvoyFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BadInputIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final MethodDescriptor<byte[], byte[]> RAW_METHOD =
      AccessLogServiceGrpc.getStreamAccessLogsMethod().toBuilder(new Bytes(), new Bytes()).build();

  private static EmbeddedKafka kafka;
  private static CollectorRunner collector;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.builder().port(0).build().start();
    kafka.createTopics(MeshTopics.all(1));
    collector =
        CollectorRunner.start(
            kafka.bootstrapServers(), "meshpulse.collector.grpc.max-inbound-message-size=64KB");
    channel = collector.plaintextChannel();
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    collector.close();
    kafka.close();
  }

  @Test
  void malformedMessage_closesOnlyItsStreamWithInvalidArgument() {
    RawStream good = new RawStream();
    good.send(
        EnvoyClient.first(node("plain-envoy-node"), List.of(entry("bad-input-before")))
            .toByteArray());

    RawStream bad = new RawStream();
    bad.send(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01});
    Status badStatus = EnvoyClient.await(bad.status, TIMEOUT);

    good.send(EnvoyClient.http(List.of(entry("bad-input-after"))).toByteArray());
    good.complete();

    assertThat(badStatus.getCode()).as("malformed stream").isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(EnvoyClient.await(good.status, TIMEOUT).getCode())
        .as("the other stream")
        .isEqualTo(Status.Code.OK);
    assertThat(requestIds())
        .as("records of the other stream, before and after")
        .contains("bad-input-before", "bad-input-after");
    assertThat(
            CollectorRunner.sample(
                collector.scrape(),
                "meshpulse_collector_messages_malformed_total{reason=\"unparseable\",service=\"access_log\"}"))
        .as("counted")
        .isEqualTo(1.0);
  }

  @Test
  void firstMessageWithoutIdentifier_isInvalidArgument() {
    Status status =
        EnvoyClient.await(
            EnvoyClient.sendAccessLogs(channel, List.of(EnvoyClient.http(List.of(entry("no-id"))))),
            TIMEOUT);

    assertThat(status.getCode()).as("status").isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).as("description").contains("identifier");
  }

  @Test
  void oversizedMessage_closesItsStreamWithResourceExhausted() {
    List<HTTPAccessLogEntry> entries = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      entries.add(entry("oversized-" + i));
    }
    StreamAccessLogsMessage big = EnvoyClient.first(node("plain-envoy-node"), entries);
    assertThat(big.getSerializedSize()).as("message size").isGreaterThan(64 * 1024);

    Status status = EnvoyClient.await(EnvoyClient.sendAccessLogs(channel, List.of(big)), TIMEOUT);
    Status after =
        EnvoyClient.await(
            EnvoyClient.sendAccessLogs(
                channel,
                List.of(EnvoyClient.first(node("plain-envoy-node"), List.of(entry("ok"))))),
            TIMEOUT);

    assertThat(status.getCode()).as("status").isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(after.getCode()).as("a later stream on the same channel").isEqualTo(Status.Code.OK);
    assertThat(
            CollectorRunner.sample(
                collector.scrape(),
                "meshpulse_collector_messages_malformed_total{reason=\"oversized\",service=\"access_log\"}"))
        .as("counted")
        .isEqualTo(1.0);
  }

  /**
   * Envoy's gRPC clusters may ping their connections (HTTP/2 {@code connection_keepalive}), and a
   * collector sends nothing on a stream until it ends. gRPC's default server policy allows a ping
   * every 5 minutes and ends the connection, with every stream on it, at the third too early.
   */
  @Test
  void aProxyPingingEvery10s_keepsItsStream() throws Exception {
    // Through a relay that counts what the client sends: the pings are all it sends while idle.
    CountingRelay relay = new CountingRelay(collector.grpcPort());
    ManagedChannel pinging =
        NettyChannelBuilder.forAddress("127.0.0.1", relay.port())
            .usePlaintext()
            .keepAliveTime(10, TimeUnit.SECONDS)
            .build();
    try {
      RawStream stream = new RawStream(pinging);
      stream.send(
          EnvoyClient.first(node("plain-envoy-node"), List.of(entry("keepalive-before")))
              .toByteArray());
      Thread.sleep(2_000);
      long sentBefore = relay.clientBytes();
      // Three pings at least: the third would have been one strike too many.
      Thread.sleep(Duration.ofSeconds(34).toMillis());
      assertThat(relay.clientBytes() - sentBefore)
          .as("bytes the client sent in 34 s idle: HTTP/2 PINGs of 17 bytes each")
          .isGreaterThanOrEqualTo(3 * 17);
      assertThat(stream.status).as("stream still open after 34 s of pings").isNotDone();
      stream.send(EnvoyClient.http(List.of(entry("keepalive-after"))).toByteArray());
      stream.complete();

      assertThat(EnvoyClient.await(stream.status, TIMEOUT).getCode())
          .as("status")
          .isEqualTo(Status.Code.OK);
      assertThat(TopicReader.requestIds(kafka.bootstrapServers(), "keepalive-after", TIMEOUT))
          .as("records before and after the pings")
          .contains("keepalive-before", "keepalive-after");
    } finally {
      pinging.shutdownNow();
      relay.close();
    }
  }

  private static HTTPAccessLogEntry entry(String requestId) {
    HTTPAccessLogEntry entry = http("plain-http-entry");
    return entry.toBuilder()
        .setRequest(
            entry.getRequest().toBuilder().setRequestId(requestId).setUserAgent("x".repeat(300)))
        .build();
  }

  private static List<String> requestIds() {
    return TopicReader.requestIds(kafka.bootstrapServers(), "bad-input-after", TIMEOUT);
  }

  /** A client stream that sends raw bytes, so it can send what no Envoy would. */
  private static final class RawStream {
    final CompletableFuture<Status> status = new CompletableFuture<>();
    private final StreamObserver<byte[]> requests;

    RawStream() {
      this(channel);
    }

    RawStream(ManagedChannel over) {
      ClientCall<byte[], byte[]> call = over.newCall(RAW_METHOD, CallOptions.DEFAULT);
      requests =
          ClientCalls.asyncClientStreamingCall(
              call,
              new StreamObserver<>() {
                @Override
                public void onNext(byte[] value) {}

                @Override
                public void onError(Throwable t) {
                  status.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                  status.complete(Status.OK);
                }
              });
    }

    void send(byte[] message) {
      requests.onNext(message);
    }

    void complete() {
      requests.onCompleted();
    }
  }

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
