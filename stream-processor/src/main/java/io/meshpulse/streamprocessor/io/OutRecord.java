package io.meshpulse.streamprocessor.io;

import org.jspecify.annotations.Nullable;

/**
 * One record for a Kafka topic, already serialized: health records are turned into bytes where they
 * are made, so no protobuf object travels through Flink's serializers. A Flink POJO.
 */
public final class OutRecord {
  public byte @Nullable [] key;
  public byte @Nullable [] value;

  /**
   * Dead letters only: why the record was rejected (header {@value OutRecordSchema#ERROR_HEADER}).
   */
  public @Nullable String error;

  /** Dead letters only: {@code <topic>-<partition>@<offset>} of the rejected record. */
  public @Nullable String origin;

  public OutRecord() {}

  public static OutRecord of(byte @Nullable [] key, byte @Nullable [] value) {
    OutRecord r = new OutRecord();
    r.key = key;
    r.value = value;
    return r;
  }

  public static OutRecord deadLetter(
      byte @Nullable [] key, byte @Nullable [] value, String error, String origin) {
    OutRecord r = of(key, value);
    r.error = error;
    r.origin = origin;
    return r;
  }
}
