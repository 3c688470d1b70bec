package io.meshpulse.model;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;

/**
 * Reads a meshpulse record and checks that it carries its identity fields, so garbage that happens
 * to parse as protobuf (for instance an empty array) is an error, not an empty record. {@code null}
 * bytes are a tombstone and read as {@code null}.
 */
public class ProtoDeserializer<T extends MessageLite> implements Deserializer<T> {
  private final String recordName;
  private final Parser<T> parser;
  private final Function<T, @Nullable String> validator;

  /**
   * @param validator returns what is wrong with a parsed record, or {@code null} when it is valid
   */
  protected ProtoDeserializer(
      String recordName, Parser<T> parser, Function<T, @Nullable String> validator) {
    this.recordName = recordName;
    this.parser = parser;
    this.validator = validator;
  }

  @Override
  public @Nullable T deserialize(String topic, byte @Nullable [] data) {
    if (data == null) {
      return null;
    }
    T record;
    try {
      record = parser.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new RecordDecodeException(
          String.format(
              "topic=%s: %d bytes are not a valid %s: %s",
              topic, data.length, recordName, e.getMessage()),
          e);
    }
    String problem = validator.apply(record);
    if (problem != null) {
      throw new RecordDecodeException(
          String.format(
              "topic=%s: %d bytes parsed as %s but %s", topic, data.length, recordName, problem),
          null);
    }
    return record;
  }
}
