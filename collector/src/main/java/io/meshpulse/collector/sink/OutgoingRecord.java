package io.meshpulse.collector.sink;

/** One serialized record on its way to a Kafka topic. */
public record OutgoingRecord(String topic, byte[] key, byte[] value) {
  /** The bytes this record holds in the buffer (key, value and a fixed overhead). */
  public long sizeBytes() {
    return key.length + value.length + 64L;
  }
}
