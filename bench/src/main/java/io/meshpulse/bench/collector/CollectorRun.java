package io.meshpulse.bench.collector;

import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.meshpulse.collector.CollectorApplication;
import io.meshpulse.collector.CollectorGrpcServer;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A whole collector in this JVM (Spring Boot app, its defaults: idempotent producer, acks=all, lz4)
 * against an embedded broker, fed by real gRPC ALS streams over 127.0.0.1, one channel per proxy. A
 * measured level runs from the first message sent to the last record Kafka acknowledged (the
 * collector's {@code meshpulse_collector_records_produced} counter reaching the entries sent).
 */
final class CollectorRun implements AutoCloseable {
  /** Threads doing the collector's work: gRPC server, Kafka sink, the collector's producer. */
  static boolean collectorThread(String name) {
    return name.startsWith("grpc-")
        || name.equals("meshpulse-kafka-sink")
        || name.startsWith("kafka-producer-network-thread | meshpulse-collector");
  }

  /** One measured level. */
  record Level(
      int streams,
      long entries,
      double wallSeconds,
      double processCpuSeconds,
      double collectorCpuSeconds,
      double gcCpuSeconds,
      double dropped,
      String topThreads) {
    double entriesPerSecond() {
      return entries / wallSeconds;
    }

    double perProcessCore() {
      return entries / processCpuSeconds;
    }

    double perCollectorCore() {
      return entries / collectorCpuSeconds;
    }
  }

  private final EmbeddedKafka kafka;
  private final ConfigurableApplicationContext collector;
  private final MeterRegistry registry;
  private final EventLoopGroup clientLoop;
  private final int grpcPort;
  private final byte[][] batches;

  CollectorRun(List<StreamAccessLogsMessage> batches) {
    this.batches = new byte[batches.size()][];
    for (int i = 0; i < batches.size(); i++) {
      this.batches[i] = batches.get(i).toByteArray();
    }
    kafka = EmbeddedKafka.builder().port(0).build().start();
    kafka.createTopics(MeshTopics.all(3));
    collector =
        CollectorApplication.builder()
            .properties(
                "meshpulse.collector.grpc.port=0",
                "meshpulse.collector.grpc.bind-address=127.0.0.1",
                "meshpulse.collector.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "server.port=0",
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "logging.level.root=WARN")
            .run();
    registry = collector.getBean(MeterRegistry.class);
    grpcPort = collector.getBean(CollectorGrpcServer.class).port();
    clientLoop = new NioEventLoopGroup(1, new DefaultThreadFactory("bench-client", true));
  }

  /**
   * Sends {@code messagesPerStream} messages on each of {@code streams} streams and waits until
   * Kafka acknowledged every entry.
   */
  Level measure(int streams, int messagesPerStream, PrintStream progress) throws Exception {
    List<ManagedChannel> channels = new ArrayList<>(streams);
    for (int i = 0; i < streams; i++) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
              .usePlaintext()
              .eventLoopGroup(clientLoop)
              .channelType(NioSocketChannel.class)
              .directExecutor()
              .build();
      channel.getState(true);
      channels.add(channel);
    }
    try {
      awaitReady(channels);
      byte[][] firsts = new byte[streams][];
      for (int i = 0; i < streams; i++) {
        firsts[i] =
            EnvoyTraffic.first(
                    EnvoyTraffic.node(i),
                    StreamAccessLogsMessage.parseFrom(batches[i % batches.length]))
                .toByteArray();
      }
      long entries = (long) streams * messagesPerStream * EnvoyTraffic.ENTRIES_PER_MESSAGE;
      double produced0 = produced();
      double dropped0 = dropped();
      CpuClock.Reading cpu0 = CpuClock.read();
      long start = System.nanoTime();
      List<AlsStream> sent = new ArrayList<>(streams);
      for (int i = 0; i < streams; i++) {
        sent.add(
            AlsStream.start(channels.get(i), firsts[i], rotate(batches, i + 1), messagesPerStream));
      }
      for (AlsStream stream : sent) {
        Status status = stream.status.get(5, TimeUnit.MINUTES);
        if (!status.isOk()) {
          throw new IllegalStateException("an ALS stream failed: " + status);
        }
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (produced() - produced0 < entries) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(
              "Kafka acknowledged " + (produced() - produced0) + " of " + entries + " records");
        }
        Thread.sleep(1);
      }
      long end = System.nanoTime();
      CpuClock.Reading cpu1 = CpuClock.read();
      Level level =
          new Level(
              streams,
              entries,
              (end - start) / 1e9,
              CpuClock.processSeconds(cpu0, cpu1),
              CpuClock.threadSeconds(cpu0, cpu1, CollectorRun::collectorThread),
              CpuClock.gcSeconds(cpu0, cpu1),
              dropped() - dropped0,
              CpuClock.topThreads(cpu0, cpu1, 8));
      progress.printf(
          "collector %d streams: %d entries in %.2f s = %.0f entries/s; process CPU %.2f s,"
              + " collector threads %.2f s (%.0f entries/s per core), GC threads %.2f s;"
              + " top threads: %s%n",
          streams,
          entries,
          level.wallSeconds(),
          level.entriesPerSecond(),
          level.processCpuSeconds(),
          level.collectorCpuSeconds(),
          level.perCollectorCore(),
          level.gcCpuSeconds(),
          level.topThreads());
      return level;
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow();
      }
      for (ManagedChannel channel : channels) {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static byte[][] rotate(byte[][] batches, int by) {
    byte[][] rotated = new byte[batches.length][];
    for (int i = 0; i < batches.length; i++) {
      rotated[i] = batches[(i + by) % batches.length];
    }
    return rotated;
  }

  private static void awaitReady(List<ManagedChannel> channels) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (ManagedChannel channel : channels) {
      while (channel.getState(true) != ConnectivityState.READY) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("gRPC channel not ready: " + channel.getState(false));
        }
        Thread.sleep(5);
      }
    }
  }

  private double produced() {
    Counter counter =
        registry
            .find("meshpulse.collector.records.produced")
            .tag("topic", Topics.ACCESS_RECORDS)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private double dropped() {
    return registry.find("meshpulse.collector.records.dropped").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  @Override
  public void close() {
    collector.close();
    clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    kafka.close();
  }
}
