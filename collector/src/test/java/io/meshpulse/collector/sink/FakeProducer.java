package io.meshpulse.collector.sink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RecordProducer} that fails the way KafkaProducer 4.x does: when it cannot take a record
 * (a topic without metadata, a full buffer) send throws nothing and calls the callback at once on
 * the caller's thread. For a topic without metadata, send and lookUp first wait {@link
 * #metadataWait} (max.block.ms), and lookUp then throws a timeout. Records of other topics are
 * delivered at once, or held in flight until close (which delivers them, or aborts them as a forced
 * close does) or until {@link #failInFlight} fails them as a delivery timeout would, on another
 * thread.
 */
final class FakeProducer implements RecordProducer {
  final Set<String> unavailable = ConcurrentHashMap.newKeySet();
  final Set<String> tooLarge = ConcurrentHashMap.newKeySet();
  final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> lookUps = new ConcurrentHashMap<>();
  volatile Duration metadataWait = Duration.ZERO;
  // The names of the threads that waited for a missing topic's metadata.
  final Set<String> metadataWaiters = ConcurrentHashMap.newKeySet();
  // Records it can still buffer (a slow broker drains it); at 0, a send fails as a full buffer's.
  final AtomicInteger room = new AtomicInteger(Integer.MAX_VALUE);
  final List<ProducerRecord<byte[], byte[]>> delivered =
      Collections.synchronizedList(new ArrayList<>());
  volatile boolean holdAcknowledgements;
  volatile boolean abortOnClose;
  volatile boolean closed;
  volatile @Nullable RuntimeException throwOnce;
  // Thrown by the next send, as a native codec that cannot load would.
  volatile @Nullable Error errorOnce;
  // A record with this value makes send throw, every time.
  volatile byte @Nullable [] poison;
  // Guarded by this.
  private final List<InFlight> inFlight = new ArrayList<>();

  private record InFlight(ProducerRecord<byte[], byte[]> record, Callback callback) {}

  /** Calls of send for the topic. */
  int attempts(String topic) {
    AtomicInteger n = attempts.get(topic);
    return n == null ? 0 : n.get();
  }

  /** Calls of lookUp for the topic. */
  int lookUps(String topic) {
    AtomicInteger n = lookUps.get(topic);
    return n == null ? 0 : n.get();
  }

  @Override
  public void lookUp(String topic) {
    lookUps.computeIfAbsent(topic, t -> new AtomicInteger()).incrementAndGet();
    if (unavailable.contains(topic)) {
      waitForMetadata();
      throw new TimeoutException("Topic " + topic + " not present in metadata after 1000 ms.");
    }
  }

  private void waitForMetadata() {
    metadataWaiters.add(Thread.currentThread().getName());
    try {
      Thread.sleep(metadataWait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }

  List<String> deliveredValues(String topic) {
    synchronized (delivered) {
      return delivered.stream()
          .filter(r -> r.topic().equals(topic))
          .map(r -> new String(r.value(), java.nio.charset.StandardCharsets.UTF_8))
          .toList();
    }
  }

  @Override
  public void send(ProducerRecord<byte[], byte[]> record, Callback callback) {
    attempts.computeIfAbsent(record.topic(), t -> new AtomicInteger()).incrementAndGet();
    Error error = errorOnce;
    if (error != null) {
      errorOnce = null;
      throw error;
    }
    RuntimeException toThrow = throwOnce;
    if (toThrow != null) {
      throwOnce = null;
      throw toThrow;
    }
    byte[] bad = poison;
    if (bad != null && java.util.Arrays.equals(bad, record.value())) {
      throw new IllegalStateException("a record the producer cannot take");
    }
    if (closed) {
      throw new IllegalStateException("Cannot perform operation after producer has been closed");
    }
    if (unavailable.contains(record.topic()) || tooLarge.contains(record.topic())) {
      if (unavailable.contains(record.topic())) {
        waitForMetadata();
      }
      KafkaException e =
          unavailable.contains(record.topic())
              ? new TimeoutException(
                  "Topic " + record.topic() + " not present in metadata after 1000 ms.")
              : new RecordTooLargeException("The message is too large");
      callback.onCompletion(metadata(record), e);
      return;
    }
    if (room.getAndUpdate(r -> r > 0 ? r - 1 : 0) == 0) {
      KafkaException full =
          new org.apache.kafka.clients.producer.BufferExhaustedException(
              "Failed to allocate memory within the configured max blocking time 1000 ms.");
      callback.onCompletion(metadata(record), full);
      return;
    }
    if (holdAcknowledgements) {
      synchronized (this) {
        inFlight.add(new InFlight(record, callback));
      }
      return;
    }
    delivered.add(record);
    callback.onCompletion(metadata(record), null);
  }

  /** Fails every record in flight with a delivery timeout, on another thread, in order. */
  void failInFlight() throws InterruptedException {
    List<InFlight> failing = takeInFlight();
    Thread io =
        new Thread(
            () -> {
              for (InFlight f : failing) {
                f.callback().onCompletion(metadata(f.record()), new TimeoutException("expired"));
              }
            });
    io.start();
    io.join();
  }

  @Override
  public void close(Duration timeout) {
    for (InFlight f : takeInFlight()) {
      if (abortOnClose) {
        f.callback()
            .onCompletion(
                metadata(f.record()), new KafkaException("Producer is closed forcefully."));
      } else {
        delivered.add(f.record());
        f.callback().onCompletion(metadata(f.record()), null);
      }
    }
    closed = true;
  }

  private synchronized List<InFlight> takeInFlight() {
    List<InFlight> taken = new ArrayList<>(inFlight);
    inFlight.clear();
    return taken;
  }

  private static RecordMetadata metadata(ProducerRecord<byte[], byte[]> record) {
    return new RecordMetadata(new TopicPartition(record.topic(), 0), -1, -1, -1, -1, -1);
  }
}
