package io.meshpulse.sim.telemetry;

import com.google.protobuf.CodedOutputStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxy's access-log stream, batched like Envoy's gRPC access logger: entries are buffered and
 * sent when the buffer reaches {@code maxMessageBytes} (16 KiB) or every {@code flushIntervalMs}
 * (100 ms); no message is larger than {@code maxMessageBytes}; the identifier travels only on the
 * first message of each stream. While the stream is down (or not ready), entries stay buffered up
 * to {@code bufferLimit}; beyond that they are dropped and counted. A failed stream is reopened
 * after a back-off.
 *
 * <p>{@link #add} and {@link #flushIfDue} are called by the owning proxy's tick only.
 */
public final class AlsSender {
  private static final Logger LOG = LoggerFactory.getLogger(AlsSender.class);

  private final Channel channel;
  private final StreamAccessLogsMessage.Identifier identifier;
  private final int maxMessageBytes;
  private final long flushIntervalMs;
  private final int bufferLimit;
  private final LongSupplier clockMs;
  private final String logId;

  private final ArrayDeque<HTTPAccessLogEntry> buffer = new ArrayDeque<>();
  private long bufferedBytes;
  private long lastFlushMs;
  private long retryAtMs;
  private long backoffMs = 250;

  private final Object lock = new Object();
  // guarded by lock
  private @Nullable ClientCallStreamObserver<StreamAccessLogsMessage> stream;
  private boolean identifierSent;
  private @Nullable CountDownLatch streamClosed;

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong streamsOpened = new AtomicLong();
  private final AtomicLong streamFailures = new AtomicLong();

  public AlsSender(
      Channel channel,
      Node node,
      String logName,
      int maxMessageBytes,
      long flushIntervalMs,
      int bufferLimit,
      LongSupplier clockMs) {
    this.channel = channel;
    this.identifier =
        StreamAccessLogsMessage.Identifier.newBuilder().setNode(node).setLogName(logName).build();
    this.maxMessageBytes = maxMessageBytes;
    this.flushIntervalMs = flushIntervalMs;
    this.bufferLimit = bufferLimit;
    this.clockMs = clockMs;
    this.logId = node.getId();
    this.lastFlushMs = clockMs.getAsLong();
  }

  /** Entries written to a stream (counted per message handed to gRPC). */
  public long sent() {
    return sent.get();
  }

  public long messages() {
    return messages.get();
  }

  /** Entries dropped because the buffer was full while the stream was down or not ready. */
  public long dropped() {
    return dropped.get();
  }

  /** Entries still buffered. */
  public int buffered() {
    return buffer.size();
  }

  public long streamsOpened() {
    return streamsOpened.get();
  }

  public long streamFailures() {
    return streamFailures.get();
  }

  public void add(HTTPAccessLogEntry entry) {
    if (buffer.size() >= bufferLimit) {
      dropped.incrementAndGet();
      return;
    }
    buffer.addLast(entry);
    bufferedBytes += entrySize(entry);
    if (bufferedBytes >= maxMessageBytes) {
      drain(false);
    }
  }

  /** Sends everything buffered when the flush interval has passed. */
  public void flushIfDue() {
    if (clockMs.getAsLong() - lastFlushMs >= flushIntervalMs) {
      drain(true);
    }
  }

  private static int entrySize(HTTPAccessLogEntry e) {
    int n = e.getSerializedSize();
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(n) + n;
  }

  /** Sends full messages, and with {@code all} also the remainder. */
  private void drain(boolean all) {
    long now = clockMs.getAsLong();
    if (all) {
      lastFlushMs = now;
    }
    synchronized (lock) {
      if (stream == null) {
        if (now < retryAtMs) {
          return;
        }
        open();
      }
      while (!buffer.isEmpty() && stream != null && stream.isReady()) {
        if (!all && bufferedBytes < maxMessageBytes) {
          return;
        }
        sendOne();
      }
    }
  }

  /** Called with the lock held and an open stream. */
  private void sendOne() {
    int overhead = identifierSent ? 0 : 1 + sizeWithLength(identifier.getSerializedSize());
    StreamAccessLogsMessage.HTTPAccessLogEntries.Builder entries =
        StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder();
    int inner = 0;
    while (!buffer.isEmpty()) {
      int size = entrySize(buffer.peekFirst());
      int total = overhead + 1 + sizeWithLength(inner + size);
      if (total > maxMessageBytes && entries.getLogEntryCount() > 0) {
        break;
      }
      HTTPAccessLogEntry e = buffer.pollFirst();
      bufferedBytes -= size;
      inner += size;
      entries.addLogEntry(e);
    }
    StreamAccessLogsMessage.Builder msg = StreamAccessLogsMessage.newBuilder().setHttpLogs(entries);
    if (!identifierSent) {
      msg.setIdentifier(identifier);
    }
    try {
      stream.onNext(msg.build());
      identifierSent = true;
      backoffMs = 250;
      sent.addAndGet(entries.getLogEntryCount());
      messages.incrementAndGet();
    } catch (RuntimeException e) {
      // the entries of this message are lost with the stream; count them as dropped
      dropped.addAndGet(entries.getLogEntryCount());
      failed(e);
    }
  }

  private static int sizeWithLength(int n) {
    return CodedOutputStream.computeUInt32SizeNoTag(n) + n;
  }

  /** Called with the lock held. */
  private void open() {
    CountDownLatch closed = new CountDownLatch(1);
    streamClosed = closed;
    identifierSent = false;
    streamsOpened.incrementAndGet();
    AccessLogServiceGrpc.newStub(channel)
        .streamAccessLogs(
            new ClientResponseObserver<StreamAccessLogsMessage, StreamAccessLogsResponse>() {
              private @Nullable ClientCallStreamObserver<StreamAccessLogsMessage> mine;

              @Override
              public void beforeStart(ClientCallStreamObserver<StreamAccessLogsMessage> s) {
                mine = s;
                stream = s;
              }

              @Override
              public void onNext(StreamAccessLogsResponse value) {}

              @Override
              public void onError(Throwable t) {
                closed.countDown();
                synchronized (lock) {
                  if (stream == mine && mine != null) {
                    failed(t);
                  }
                }
              }

              @Override
              public void onCompleted() {
                closed.countDown();
                synchronized (lock) {
                  if (stream == mine && mine != null) {
                    failed(new IllegalStateException("server closed the stream"));
                  }
                }
              }
            });
  }

  /** Called with the lock held. */
  private void failed(Throwable t) {
    streamFailures.incrementAndGet();
    Status s = Status.fromThrowable(t);
    LOG.info("als={} stream failed status={} retry_in_ms={}", logId, s.getCode(), backoffMs);
    stream = null;
    retryAtMs = clockMs.getAsLong() + backoffMs;
    backoffMs = Math.min(backoffMs * 2, 5_000);
  }

  /**
   * Sends what is buffered (waiting up to {@code timeoutMs} for the stream), half-closes the stream
   * and waits for the server to close it, so every sent entry has been received when this returns
   * true. {@code deadlineNanos} is a {@link System#nanoTime()} value shared by all proxies' closes.
   */
  public boolean close(long deadlineNanos) throws InterruptedException {
    long deadline = deadlineNanos;
    retryAtMs = 0;
    drain(true);
    while (!buffer.isEmpty() && System.nanoTime() < deadline) {
      drain(true);
      if (!buffer.isEmpty()) {
        Thread.sleep(10);
      }
    }
    CountDownLatch closed;
    synchronized (lock) {
      if (stream == null) {
        return buffer.isEmpty();
      }
      closed = streamClosed;
      ClientCallStreamObserver<StreamAccessLogsMessage> s = stream;
      stream = null;
      s.onCompleted();
    }
    long left = Math.max(0, deadline - System.nanoTime());
    boolean done = closed != null && closed.await(left, TimeUnit.NANOSECONDS);
    return done && buffer.isEmpty();
  }
}
