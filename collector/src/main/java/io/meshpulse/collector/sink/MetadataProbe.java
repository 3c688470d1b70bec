package io.meshpulse.collector.sink;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds out, off the sink thread, whether the producer has a topic's metadata. The producer's only
 * way to ask, {@link RecordProducer#lookUp} ({@code partitionsFor}), waits up to {@code
 * max.block.ms} for a topic it does not know, and so does {@code send}: a look-up runs on a daemon
 * thread of its own (one per topic being looked up, so that a missing topic does not hold up the
 * look-up of another), and the sink thread sends records of a topic only once a look-up found its
 * metadata.
 */
final class MetadataProbe implements AutoCloseable {
  private static final AtomicInteger threads = new AtomicInteger();

  private final RecordProducer producer;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread =
                new Thread(task, "meshpulse-kafka-metadata-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });

  MetadataProbe(RecordProducer producer) {
    this.producer = producer;
  }

  /**
   * Looks up {@code topic}'s metadata; completes empty once the producer has it, else with what the
   * look-up threw (a {@code TimeoutException} after {@code max.block.ms} for a missing topic).
   */
  CompletableFuture<Optional<RuntimeException>> lookUp(String topic) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            producer.lookUp(topic);
            return Optional.empty();
          } catch (RuntimeException e) {
            return Optional.of(e);
          }
        },
        executor);
  }

  /** Interrupts the look-ups under way: their results are no longer read. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
