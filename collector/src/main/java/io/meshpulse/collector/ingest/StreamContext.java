package io.meshpulse.collector.ingest;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.meshpulse.collector.metrics.CollectorMetrics;
import org.slf4j.Logger;

/**
 * The per-stream bookkeeping both services share: manual inbound flow control, rejection of bad
 * messages with a status, and close logging (CANCELLED is a proxy going away: debug).
 */
final class StreamContext {
  private final ServerCallStreamObserver<?> call;
  private final String service;
  private final long id;
  private final IngestPipeline pipeline;
  private final CollectorMetrics metrics;
  private final Logger logger;
  private volatile boolean closed;
  // One callback per stream, so that the buffer can forget it when the stream closes.
  private final Runnable request = this::requestNow;
  private Runnable onClose = () -> {};

  StreamContext(
      ServerCallStreamObserver<?> call,
      String service,
      long id,
      IngestPipeline pipeline,
      CollectorMetrics metrics,
      Logger logger) {
    this.call = call;
    this.service = service;
    this.id = id;
    this.pipeline = pipeline;
    this.metrics = metrics;
    this.logger = logger;
    call.disableAutoRequest();
    metrics.streamOpened(service);
    logger.debug("stream={} opened service={}", id, service);
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
    logger.warn("stream={} rejected reason={} status={}", id, reason, status);
    if (markClosed()) {
      call.onError(status.asRuntimeException());
    }
  }

  void onError(Throwable t) {
    Status status = Status.fromThrowable(t);
    if (status.getCode() == Status.Code.CANCELLED) {
      logger.debug("stream={} cancelled by the proxy", id);
    } else {
      logger.warn("stream={} failed status={}", id, status);
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
