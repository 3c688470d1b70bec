package io.meshpulse.collector;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Loads the golden Envoy proto-JSON fixtures under {@code src/test/resources/envoy/}. */
public final class EnvoyFixtures {
  /**
   * Envoy's default histogram bounds (source/common/stats/histogram_impl.cc), which Istio's proxies
   * use for request durations and sizes, as the collector's scrape spells them; written out here
   * rather than read from the code under test.
   */
  public static final List<String> ENVOY_DEFAULT_BUCKETS =
      List.of(
          "0.5",
          "1.0",
          "5.0",
          "10.0",
          "25.0",
          "50.0",
          "100.0",
          "250.0",
          "500.0",
          "1000.0",
          "2500.0",
          "5000.0",
          "10000.0",
          "30000.0",
          "60000.0",
          "300000.0",
          "600000.0",
          "1800000.0",
          "3600000.0",
          "+Inf");

  private EnvoyFixtures() {}

  public static Node node(String name) {
    return load(name, Node.newBuilder());
  }

  public static HTTPAccessLogEntry http(String name) {
    return load(name, HTTPAccessLogEntry.newBuilder());
  }

  public static TCPAccessLogEntry tcp(String name) {
    return load(name, TCPAccessLogEntry.newBuilder());
  }

  /** Istio peer metadata that claims to be a Struct but whose bytes end inside its first field. */
  public static Any unreadablePeerMetadata() {
    return Any.newBuilder()
        .setTypeUrl("type.googleapis.com/google.protobuf.Struct")
        .setValue(ByteString.copyFrom(new byte[] {0x0a, 0x7f}))
        .build();
  }

  public static StreamMetricsMessage stats(String name) {
    return load(name, StreamMetricsMessage.newBuilder());
  }

  /** Parses {@code envoy/<name>.json} strictly (unknown fields fail) into {@code builder}. */
  @SuppressWarnings("unchecked")
  public static <T extends Message> T load(String name, Message.Builder builder) {
    String resource = "/envoy/" + name + ".json";
    try (InputStream in = EnvoyFixtures.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + resource);
      }
      JsonFormat.parser()
          .usingTypeRegistry(
              JsonFormat.TypeRegistry.newBuilder().add(Struct.getDescriptor()).build())
          .merge(new String(in.readAllBytes(), StandardCharsets.UTF_8), builder);
      return (T) builder.build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("fixture " + resource + " is not valid proto JSON", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
