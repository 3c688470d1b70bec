package io.meshpulse.model;

import com.google.protobuf.MessageLite;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/** Writes any meshpulse record as its protobuf bytes; {@code null} stays a tombstone. */
public final class ProtoSerializer<T extends MessageLite> implements Serializer<T> {
  @Override
  public byte @Nullable [] serialize(String topic, @Nullable T data) {
    return data == null ? null : data.toByteArray();
  }
}
