package io.meshpulse.collector;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.springframework.context.ConfigurableApplicationContext;

/** A collector started for a test on random ports, bound to 127.0.0.1, with a plaintext channel. */
public final class CollectorRunner implements AutoCloseable {
  private final ConfigurableApplicationContext context;

  private CollectorRunner(ConfigurableApplicationContext context) {
    this.context = context;
  }

  /**
   * Starts a collector against {@code bootstrapServers} with extra {@code key=value} properties.
   */
  public static CollectorRunner start(String bootstrapServers, String... properties) {
    List<String> all = new ArrayList<>();
    all.add("meshpulse.collector.grpc.port=0");
    all.add("meshpulse.collector.grpc.bind-address=127.0.0.1");
    all.add("meshpulse.collector.grpc.shutdown-grace-period=1s");
    all.add("meshpulse.collector.kafka.bootstrap-servers=" + bootstrapServers);
    all.add("meshpulse.collector.kafka.linger=2ms");
    all.add("server.port=0");
    all.add("server.address=127.0.0.1");
    all.addAll(List.of(properties));
    return new CollectorRunner(
        CollectorApplication.builder().properties(all.toArray(String[]::new)).run());
  }

  public int grpcPort() {
    return context.getBean(CollectorGrpcServer.class).port();
  }

  public int httpPort() {
    return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  public ManagedChannel plaintextChannel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", grpcPort()).usePlaintext().build();
  }

  /**
   * Streams one access log entry over a new TLS connection made with {@code ssl}, and closes it.
   *
   * @return the stream's status: {@code UNAVAILABLE} when the handshake fails
   */
  public Status streamOverTls(SslContextBuilder ssl, Duration timeout) throws SSLException {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", grpcPort()).sslContext(ssl.build()).build();
    try {
      return EnvoyClient.await(
          EnvoyClient.sendAccessLogs(
              channel,
              List.of(
                  EnvoyClient.first(
                      EnvoyFixtures.node("plain-envoy-node"),
                      List.of(EnvoyFixtures.http("plain-http-entry"))))),
          timeout);
    } finally {
      channel.shutdownNow();
    }
  }

  /** The text of {@code /actuator/prometheus}. */
  public String scrape() {
    HttpClient client = HttpClient.newHttpClient();
    try {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + httpPort() + "/actuator/prometheus"))
                  .header("Accept", "text/plain;version=0.0.4")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("scrape failed: " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The value of one exposed sample line ({@code name{labels}}); a series that is not exposed fails
   * the test, so a renamed or unregistered meter cannot pass for a zero.
   */
  public static double sample(String exposition, String nameAndLabels) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(nameAndLabels + " ")) {
        return Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim().split(" ")[0]);
      }
    }
    throw new AssertionError("no series " + nameAndLabels + " in the scrape");
  }

  @Override
  public void close() {
    context.close();
  }
}
