package io.meshpulse.streamprocessor.io;

import io.meshpulse.model.AccessRecordDeserializer;
import io.meshpulse.model.v1.AccessRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes access records and never throws: bytes that are not a valid record (or a tombstone)
 * become a dead letter carrying the original key, value and the reason.
 */
public final class AccessRecordSchema implements KafkaRecordDeserializationSchema<Inbound> {
  private static final long serialVersionUID = 1L;

  private transient AccessRecordDeserializer deserializer;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Inbound> out) {
    if (deserializer == null) {
      deserializer = new AccessRecordDeserializer();
    }
    String origin = record.topic() + '-' + record.partition() + '@' + record.offset();
    try {
      AccessRecord decoded = deserializer.deserialize(record.topic(), record.value());
      if (decoded == null) {
        out.collect(
            Inbound.rejected(
                OutRecord.deadLetter(record.key(), null, "tombstone: the value is null", origin)));
        return;
      }
      out.collect(Inbound.of(Sample.of(decoded)));
    } catch (RuntimeException e) {
      String reason = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      out.collect(
          Inbound.rejected(OutRecord.deadLetter(record.key(), record.value(), reason, origin)));
    }
  }

  @Override
  public TypeInformation<Inbound> getProducedType() {
    return TypeInformation.of(Inbound.class);
  }
}
