package io.meshpulse.collector.sink;

/**
 * One serialized record on its way to a Kafka topic.
 *
 * @param admittedMillis when the collector took it in (epoch milliseconds): the Kafka record's
 *     timestamp, so a record held through a broker outage keeps the time it arrived, and a health
 *     job that reads it late can tell a backlog from a proxy whose clock is behind
 */
public record OutgoingRecord(String topic, byte[] key, byte[] value, long admittedMillis) {
  /** The bytes this record holds in the buffer (key, value and a fixed overhead). */
  public long sizeBytes() {
    return key.length + value.length + 64L;
  }
}
