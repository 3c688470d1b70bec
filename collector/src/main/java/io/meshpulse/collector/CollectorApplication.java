package io.meshpulse.collector;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The collector application. Its configuration file is {@code collector.yml} ({@code
 * spring.config.name=collector}), so it can run beside other meshpulse apps in one JVM:
 *
 * <pre>{@code
 * ConfigurableApplicationContext collector = CollectorApplication.builder()
 *     .properties("meshpulse.collector.grpc.port=0", "server.port=0",
 *         "meshpulse.collector.kafka.bootstrap-servers=127.0.0.1:19092")
 *     .run();
 * int grpcPort = collector.getBean(CollectorGrpcServer.class).port();
 * }</pre>
 */
@SpringBootApplication
public class CollectorApplication {
  /** The configuration file name, {@code collector.yml}. */
  public static final String CONFIG_NAME = "collector";

  public static void main(String[] args) {
    builder().run(args);
  }

  /** A builder with the collector's config name set; add properties and {@code run()}. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(CollectorApplication.class)
        .properties("spring.config.name=" + CONFIG_NAME);
  }
}
