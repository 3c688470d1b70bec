package io.meshpulse.collector;

import static io.meshpulse.collector.EnvoyFixtures.http;
import static io.meshpulse.collector.EnvoyFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code grpc.max-connection-age}: a proxy's long-lived stream is ended after the age and its
 * grace, so that it opens a new connection (through a Service: to any collector); what it sent
 * before is kept, and it streams again at once. Without the setting a stream stays open.
 */
class ConnectionAgeIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.builder().port(0).build().start();
    kafka.createTopics(MeshTopics.all(1));
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void aStreamOlderThanTheMaxConnectionAge_isEndedAndTheProxyReconnects() throws Exception {
    try (CollectorRunner collector =
        CollectorRunner.start(
            kafka.bootstrapServers(),
            "meshpulse.collector.grpc.max-connection-age=2s",
            "meshpulse.collector.grpc.max-connection-age-grace=1s")) {
      ManagedChannel channel = collector.plaintextChannel();
      try {
        long opened = System.nanoTime();
        OpenStream first = new OpenStream(channel);
        first.send(EnvoyClient.first(node("plain-envoy-node"), List.of(entry("age-first"))));
        Status ended = EnvoyClient.await(first.status, TIMEOUT);
        double seconds = (System.nanoTime() - opened) / 1e9;

        assertThat(ended.getCode())
            .as("status of the aged stream")
            .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(seconds)
            .as("seconds until the stream ended: age 2 s (less up to 10 % jitter) + grace 1 s")
            .isGreaterThan(2.5)
            .isLessThan(10.0);
        Status again =
            EnvoyClient.await(
                EnvoyClient.sendAccessLogs(
                    channel,
                    List.of(
                        EnvoyClient.first(node("plain-envoy-node"), List.of(entry("age-next"))))),
                TIMEOUT);
        assertThat(again.getCode())
            .as("a new stream on a new connection")
            .isEqualTo(Status.Code.OK);
        assertThat(TopicReader.requestIds(kafka.bootstrapServers(), "age-next", TIMEOUT))
            .as("records of the aged stream and of the next")
            .contains("age-first", "age-next");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void withoutAMaxConnectionAge_aStreamStaysOpen() throws Exception {
    try (CollectorRunner collector = CollectorRunner.start(kafka.bootstrapServers())) {
      ManagedChannel channel = collector.plaintextChannel();
      try {
        OpenStream stream = new OpenStream(channel);
        stream.send(EnvoyClient.first(node("plain-envoy-node"), List.of(entry("age-default"))));
        TimeUnit.SECONDS.sleep(5);

        assertThat(stream.status).as("the stream after 5 s").isNotDone();
        stream.requests.onCompleted();
        assertThat(EnvoyClient.await(stream.status, TIMEOUT).getCode())
            .as("its status once the proxy ends it")
            .isEqualTo(Status.Code.OK);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  /** An access log stream a test sends on and leaves open, as Envoy does. */
  private static final class OpenStream {
    final CompletableFuture<Status> status = new CompletableFuture<>();
    final StreamObserver<StreamAccessLogsMessage> requests;

    OpenStream(ManagedChannel channel) {
      requests =
          AccessLogServiceGrpc.newStub(channel)
              .streamAccessLogs(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(StreamAccessLogsResponse value) {}

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

    void send(StreamAccessLogsMessage message) {
      requests.onNext(message);
    }
  }

  private static HTTPAccessLogEntry entry(String requestId) {
    HTTPAccessLogEntry entry = http("plain-http-entry");
    return entry.toBuilder()
        .setRequest(entry.getRequest().toBuilder().setRequestId(requestId))
        .build();
  }
}
