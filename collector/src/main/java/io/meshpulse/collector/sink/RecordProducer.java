package io.meshpulse.collector.sink;

import java.time.Duration;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The three calls {@link KafkaSink} makes of a Kafka producer. {@link #of} adapts a real one; the
 * sink's unit tests stand in for it here, and the sink's ITs run it against a broker.
 *
 * <p>The contract is KafkaProducer 4.x's. When the producer cannot take a record now (a topic
 * without metadata after {@code max.block.ms}, a full buffer), {@link #send} throws nothing: it
 * calls the callback at once, on the caller's thread, with a retriable exception. A record it took
 * is completed later on the producer's I/O thread, or by {@link #close}, which calls every pending
 * callback before it returns.
 */
interface RecordProducer {

  /** Hands a record over; the callback completes it. */
  void send(ProducerRecord<byte[], byte[]> record, Callback callback);

  /**
   * Returns once the producer has the topic's metadata, waiting up to {@code max.block.ms} for a
   * topic it does not know; throws what {@link Producer#partitionsFor} throws.
   */
  void lookUp(String topic);

  /** Delivers or fails what is in flight within {@code timeout}, then releases the producer. */
  void close(Duration timeout);

  static RecordProducer of(Producer<byte[], byte[]> producer) {
    return new RecordProducer() {
      @Override
      public void send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        producer.send(record, callback);
      }

      @Override
      public void lookUp(String topic) {
        producer.partitionsFor(topic);
      }

      @Override
      public void close(Duration timeout) {
        producer.close(timeout);
      }
    };
  }
}
