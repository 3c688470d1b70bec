package io.meshpulse.streamprocessor.io;

import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Decodes access records ({@link AccessRecordReader}: only the fields the job needs, straight from
 * the wire bytes; the same records are accepted and rejected as by {@code
 * AccessRecordDeserializer}) and never throws: bytes that are not a valid record (or a tombstone)
 * become a dead letter carrying the original key, value and the reason.
 */
public final class AccessRecordSchema implements KafkaRecordDeserializationSchema<Inbound> {
  private static final long serialVersionUID = 1L;

  private transient @Nullable AccessRecordReader reader;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Inbound> out) {
    AccessRecordReader current = reader;
    if (current == null) {
      current = new AccessRecordReader();
      reader = current;
    }
    byte[] value = record.value();
    if (value == null) {
      out.collect(
          Inbound.rejected(
              OutRecord.deadLetter(
                  record.key(), null, "tombstone: the value is null", origin(record))));
      return;
    }
    String reason;
    try {
      Sample sample = current.read(value);
      if (!current.clusterEmpty()) {
        out.collect(
            current.destinationReported() ? Inbound.fromDestination(sample) : Inbound.of(sample));
        return;
      }
      reason =
          String.format(
              "topic=%s: %d bytes parsed as AccessRecord but its cluster is empty",
              record.topic(), value.length);
    } catch (InvalidProtocolBufferException e) {
      reason =
          String.format(
              "topic=%s: %d bytes are not a valid AccessRecord: %s",
              record.topic(), value.length, e.getMessage());
    } catch (RuntimeException e) {
      reason = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    }
    out.collect(
        Inbound.rejected(OutRecord.deadLetter(record.key(), value, reason, origin(record))));
  }

  private static String origin(ConsumerRecord<?, ?> record) {
    return record.topic() + '-' + record.partition() + '@' + record.offset();
  }

  @Override
  public TypeInformation<Inbound> getProducedType() {
    return TypeInformation.of(Inbound.class);
  }
}
