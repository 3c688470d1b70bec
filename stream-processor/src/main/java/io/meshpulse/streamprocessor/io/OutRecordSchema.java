package io.meshpulse.streamprocessor.io;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Writes {@link OutRecord}s to one topic; dead letters carry their reason and origin as headers.
 */
public final class OutRecordSchema implements KafkaRecordSerializationSchema<OutRecord> {
  public static final String ERROR_HEADER = "meshpulse.error";
  public static final String ORIGIN_HEADER = "meshpulse.origin";
  private static final long serialVersionUID = 1L;

  private final String topic;

  public OutRecordSchema(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      OutRecord element, KafkaSinkContext context, @Nullable Long timestamp) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, null, null, element.key, element.value);
    if (element.error != null) {
      record.headers().add(ERROR_HEADER, element.error.getBytes(StandardCharsets.UTF_8));
    }
    if (element.origin != null) {
      record.headers().add(ORIGIN_HEADER, element.origin.getBytes(StandardCharsets.UTF_8));
    }
    return record;
  }
}
