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

  /**
   * The most of a rejected value a dead letter keeps: with its key and headers it stays under the 1
   * MB a producer and a broker take by default, so that one huge rejected record cannot fail the
   * dead letters' sink, restart the job, and be read and rejected again without end.
   */
  static final int MAX_DEAD_LETTER_VALUE_BYTES = 900 * 1024;

  public static OutRecord deadLetter(
      byte @Nullable [] key, byte @Nullable [] value, String error, String origin) {
    OutRecord r = of(key, value);
    r.error = error;
    r.origin = origin;
    if (value != null && value.length > MAX_DEAD_LETTER_VALUE_BYTES) {
      r.value = java.util.Arrays.copyOf(value, MAX_DEAD_LETTER_VALUE_BYTES);
      r.error =
          error
              + " (value cut from "
              + value.length
              + " to its first "
              + MAX_DEAD_LETTER_VALUE_BYTES
              + " bytes)";
    }
    return r;
  }
}
