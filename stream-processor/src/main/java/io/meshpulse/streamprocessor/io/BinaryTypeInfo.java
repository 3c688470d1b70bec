package io.meshpulse.streamprocessor.io;

import io.meshpulse.streamprocessor.score.EndpointPanes;
import io.meshpulse.streamprocessor.score.EndpointStats;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information for the score package's values, which serialize themselves into a compact binary
 * form (varint counts, proxy hashes, latency bins) instead of going through Kryo.
 */
public final class BinaryTypeInfo<T> extends TypeInformation<T> {
  private static final long serialVersionUID = 1L;

  public static final BinaryTypeInfo<EndpointStats> ENDPOINT_STATS =
      new BinaryTypeInfo<>(EndpointStats.class, BinarySerializer.ENDPOINT_STATS);
  public static final BinaryTypeInfo<Sample> SAMPLE =
      new BinaryTypeInfo<>(Sample.class, BinarySerializer.SAMPLE);
  public static final BinaryTypeInfo<EndpointPanes> ENDPOINT_PANES =
      new BinaryTypeInfo<>(EndpointPanes.class, BinarySerializer.ENDPOINT_PANES);

  private final Class<T> type;
  private final TypeSerializer<T> serializer;

  private BinaryTypeInfo(Class<T> type, TypeSerializer<T> serializer) {
    this.type = type;
    this.serializer = serializer;
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<T> getTypeClass() {
    return type;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return serializer;
  }

  @Override
  public String toString() {
    return "BinaryTypeInfo<" + type.getSimpleName() + ">";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof BinaryTypeInfo<?> other && other.type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof BinaryTypeInfo<?>;
  }
}
