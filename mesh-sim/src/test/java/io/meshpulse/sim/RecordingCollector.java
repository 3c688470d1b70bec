package io.meshpulse.sim;

import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A real gRPC server on 127.0.0.1 that records every ALS and MetricsService message per stream. */
final class RecordingCollector implements AutoCloseable {
  final List<List<StreamAccessLogsMessage>> alsStreams = new CopyOnWriteArrayList<>();
  final List<List<StreamMetricsMessage>> metricsStreams = new CopyOnWriteArrayList<>();
  private final Server server;

  private RecordingCollector(int port) throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(
                new AccessLogServiceGrpc.AccessLogServiceImplBase() {
                  @Override
                  public StreamObserver<StreamAccessLogsMessage> streamAccessLogs(
                      StreamObserver<StreamAccessLogsResponse> response) {
                    List<StreamAccessLogsMessage> stream = new CopyOnWriteArrayList<>();
                    alsStreams.add(stream);
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(StreamAccessLogsMessage m) {
                        stream.add(m);
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        response.onNext(StreamAccessLogsResponse.getDefaultInstance());
                        response.onCompleted();
                      }
                    };
                  }
                })
            .addService(
                new MetricsServiceGrpc.MetricsServiceImplBase() {
                  @Override
                  public StreamObserver<StreamMetricsMessage> streamMetrics(
                      StreamObserver<StreamMetricsResponse> response) {
                    List<StreamMetricsMessage> stream = new CopyOnWriteArrayList<>();
                    metricsStreams.add(stream);
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(StreamMetricsMessage m) {
                        stream.add(m);
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        response.onNext(StreamMetricsResponse.getDefaultInstance());
                        response.onCompleted();
                      }
                    };
                  }
                })
            .build()
            .start();
  }

  static RecordingCollector start(int port) throws IOException {
    return new RecordingCollector(port);
  }

  int port() {
    return server.getPort();
  }

  String target() {
    return "127.0.0.1:" + port();
  }

  List<StreamAccessLogsMessage> alsMessages() {
    List<StreamAccessLogsMessage> out = new ArrayList<>();
    alsStreams.forEach(out::addAll);
    return out;
  }

  long alsEntries() {
    return alsMessages().stream().mapToLong(m -> m.getHttpLogs().getLogEntryCount()).sum();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
