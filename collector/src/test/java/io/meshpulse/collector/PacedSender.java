package io.meshpulse.collector;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * One proxy streaming access logs on its own thread at a steady pace until stopped, sending only
 * when the transport is ready (as Envoy does), and counting what it sent.
 */
public final class PacedSender implements AutoCloseable {
  private final AtomicInteger sentEntries = new AtomicInteger();
  private final CompletableFuture<Status> status = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param entry entry number → entry
   * @param notReadyWaits counts the times this sender had to wait for the transport
   */
  public PacedSender(
      Channel channel,
      Node node,
      int entriesPerBatch,
      Duration pause,
      IntFunction<HTTPAccessLogEntry> entry,
      AtomicInteger notReadyWaits) {
    this.thread =
        new Thread(
            () -> run(channel, node, entriesPerBatch, pause, entry, notReadyWaits),
            "paced-sender-" + node.getId());
  }

  public PacedSender start() {
    thread.start();
    return this;
  }

  private void run(
      Channel channel,
      Node node,
      int entriesPerBatch,
      Duration pause,
      IntFunction<HTTPAccessLogEntry> entry,
      AtomicInteger notReadyWaits) {
    ClientCallStreamObserver<StreamAccessLogsMessage> requests =
        (ClientCallStreamObserver<StreamAccessLogsMessage>)
            AccessLogServiceGrpc.newStub(channel)
                .streamAccessLogs(
                    new StreamObserver<StreamAccessLogsResponse>() {
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
    boolean first = true;
    try {
      while (running && !status.isDone()) {
        if (!requests.isReady()) {
          notReadyWaits.incrementAndGet();
          while (!requests.isReady() && !status.isDone()) {
            Thread.sleep(2);
          }
          continue;
        }
        List<HTTPAccessLogEntry> entries = new ArrayList<>(entriesPerBatch);
        for (int i = 0; i < entriesPerBatch; i++) {
          entries.add(entry.apply(sentEntries.get() + i));
        }
        requests.onNext(first ? EnvoyClient.first(node, entries) : EnvoyClient.http(entries));
        first = false;
        sentEntries.addAndGet(entriesPerBatch);
        Thread.sleep(pause.toMillis());
      }
      requests.onCompleted();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      requests.onError(e);
    }
  }

  /** Entries handed to gRPC so far. */
  public int sentEntries() {
    return sentEntries.get();
  }

  /** Stops sending and half-closes; the stream's final status. */
  public CompletableFuture<Status> finish() {
    running = false;
    return status;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
