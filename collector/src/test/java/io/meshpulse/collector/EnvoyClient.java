package io.meshpulse.collector;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Streams access logs and stats the way Envoy does: the identifier on the first message only, many
 * batches per stream, and no more sending than the transport is ready for.
 */
public final class EnvoyClient {
  private EnvoyClient() {}

  /** The first message of a stream: the identifier plus a first batch. */
  public static StreamAccessLogsMessage first(Node node, List<HTTPAccessLogEntry> entries) {
    return StreamAccessLogsMessage.newBuilder()
        .setIdentifier(
            StreamAccessLogsMessage.Identifier.newBuilder().setNode(node).setLogName("als"))
        .setHttpLogs(
            StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder().addAllLogEntry(entries))
        .build();
  }

  public static StreamAccessLogsMessage http(List<HTTPAccessLogEntry> entries) {
    return StreamAccessLogsMessage.newBuilder()
        .setHttpLogs(
            StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder().addAllLogEntry(entries))
        .build();
  }

  public static StreamAccessLogsMessage tcp(Node node, List<TCPAccessLogEntry> entries) {
    return StreamAccessLogsMessage.newBuilder()
        .setIdentifier(StreamAccessLogsMessage.Identifier.newBuilder().setNode(node))
        .setTcpLogs(
            StreamAccessLogsMessage.TCPAccessLogEntries.newBuilder().addAllLogEntry(entries))
        .build();
  }

  /**
   * Sends {@code messages} on one access log stream, then half-closes; completes with its status.
   */
  public static CompletableFuture<Status> sendAccessLogs(
      Channel channel, Iterable<StreamAccessLogsMessage> messages) {
    Sender<StreamAccessLogsMessage, StreamAccessLogsResponse> sender = new Sender<>(messages);
    AccessLogServiceGrpc.newStub(channel).streamAccessLogs(sender);
    return sender.status;
  }

  public static CompletableFuture<Status> sendStats(
      Channel channel, Iterable<StreamMetricsMessage> messages) {
    Sender<StreamMetricsMessage, StreamMetricsResponse> sender = new Sender<>(messages);
    MetricsServiceGrpc.newStub(channel).streamMetrics(sender);
    return sender.status;
  }

  /** Waits for a stream's status. */
  public static Status await(CompletableFuture<Status> status, Duration timeout) {
    try {
      return status.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("stream did not finish in " + timeout, e);
    }
  }

  private static final class Sender<ReqT, RespT> implements ClientResponseObserver<ReqT, RespT> {
    /** The status the server closed the stream with. */
    final CompletableFuture<Status> status = new CompletableFuture<>();

    private final Iterable<ReqT> messages;
    private boolean halfClosed;

    Sender(Iterable<ReqT> messages) {
      this.messages = messages;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ReqT> requests) {
      var iterator = messages.iterator();
      requests.setOnReadyHandler(
          () -> {
            while (requests.isReady() && iterator.hasNext() && !status.isDone()) {
              requests.onNext(iterator.next());
            }
            if (!iterator.hasNext() && !halfClosed && !status.isDone()) {
              halfClosed = true;
              requests.onCompleted();
            }
          });
    }

    @Override
    public void onNext(RespT value) {}

    @Override
    public void onError(Throwable t) {
      status.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      status.complete(Status.OK);
    }
  }
}
