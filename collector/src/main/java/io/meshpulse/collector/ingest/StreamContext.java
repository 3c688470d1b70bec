package io.meshpulse.collector.ingest;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.logging.LogLimiter;
import java.net.SocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * The per-stream bookkeeping both services share: manual inbound flow control, rejection of bad
 * messages with a status, and close logging (CANCELLED is a proxy going away: debug). Warnings
 * about bad input name the client's address and, once known, its node, so that the proxy that sends
 * it can be found; each kind is logged at most once every 10 s, with the count held back.
 */
final class StreamContext {
  /** The client's address, set for each call by {@link IdentifiedStream#service}. */
  static final Context.Key<SocketAddress> REMOTE_ADDRESS = Context.key("meshpulse-remote-address");

  private final ServerCallStreamObserver<?> call;
  private final String service;
  private final long id;
  private final IngestPipeline pipeline;
  private final CollectorMetrics metrics;
  private final Logger logger;
  private final LogLimiter badInputLogs;
  private volatile boolean closed;
  // One callback per stream, so that the buffer can forget it when the stream closes.
  private final Runnable request = this::requestNow;
  private Runnable onClose = () -> {};
  private final String peer;
  private volatile @Nullable String node;

  StreamContext(
      ServerCallStreamObserver<?> call,
      String service,
      long id,
      IngestPipeline pipeline,
      CollectorMetrics metrics,
      Logger logger,
      LogLimiter badInputLogs) {
    this.call = call;
    this.service = service;
    this.id = id;
    this.pipeline = pipeline;
    this.metrics = metrics;
    this.logger = logger;
    this.badInputLogs = badInputLogs;
    SocketAddress remote = REMOTE_ADDRESS.get();
    this.peer = remote == null ? "unknown" : remote.toString();
    call.disableAutoRequest();
    metrics.streamOpened(service);
    logger.debug("stream={} opened service={} peer={}", id, service, peer);
  }

  /** The node the stream's identifier named, for the logs. */
  void identified(String nodeId) {
    this.node = nodeId;
  }

  long id() {
    return id;
  }

  /** Runs {@code action} once, when the stream closes, however it closes. */
  void onClose(Runnable action) {
    this.onClose = action;
  }

  boolean closed() {
    return closed;
  }

  /** Asks for the next message once the buffer has room. */
  void requestNext() {
    pipeline.requestNext(request);
  }

  private void requestNow() {
    if (!closed) {
      try {
        call.request(1);
      } catch (RuntimeException e) {
        logger.debug("stream={} request after close ignored: {}", id, e.toString());
      }
    }
  }

  /** Closes this stream alone with {@code status}, counting the rejected message. */
  void reject(Status status, String reason) {
    metrics.malformed(service, reason);
    long suppressed = badInputLogs.admit(List.of(service, reason));
    if (suppressed >= 0) {
      logger.warn(
          "stream={} rejected reason={} status={} peer={} node={} suppressed={}",
          id,
          reason,
          status,
          peer,
          node,
          suppressed);
    }
    if (markClosed()) {
      call.onError(status.asRuntimeException());
    }
  }

  /**
   * Counts an entry (or report) of this stream that parsed but could not be mapped, and skipped:
   * {@code what} names it in the log.
   */
  void unmappable(String what, RuntimeException e) {
    metrics.malformed(service, CollectorMetrics.MALFORMED_UNMAPPABLE_ENTRY);
    long suppressed = badInputLogs.admit(List.of(service, e.getClass()));
    if (suppressed >= 0) {
      logger.warn(
          "stream={} unmappable {} skipped peer={} node={} suppressed={}",
          id,
          what,
          peer,
          node,
          suppressed,
          e);
    }
  }

  void onError(Throwable t) {
    Status status = Status.fromThrowable(t);
    if (status.getCode() == Status.Code.CANCELLED) {
      logger.debug("stream={} cancelled by the proxy", id);
    } else {
      logger.warn("stream={} failed status={} peer={} node={}", id, status, peer, node);
    }
    markClosed();
  }

  /** Marks the stream closed; false when it already was. */
  boolean markClosed() {
    if (closed) {
      return false;
    }
    closed = true;
    pipeline.cancelRequest(request);
    metrics.streamClosed(service);
    onClose.run();
    return true;
  }
}
