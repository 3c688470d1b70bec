package io.meshpulse.streamprocessor.io;

import io.meshpulse.streamprocessor.score.EndpointPanes;
import io.meshpulse.streamprocessor.score.EndpointStats;
import io.meshpulse.streamprocessor.score.ErrorClass;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Flink serializers that delegate to the values' own {@code writeTo} / {@code readFrom}. */
abstract class BinarySerializer<T> extends TypeSerializerSingleton<T> {
  private static final long serialVersionUID = 1L;

  static final BinarySerializer<EndpointStats> ENDPOINT_STATS = new StatsSerializer();
  static final BinarySerializer<EndpointPanes> ENDPOINT_PANES = new PanesSerializer();
  static final BinarySerializer<Sample> SAMPLE = new SampleSerializer();

  @Override
  public T deserialize(T reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public T copy(T from, T reuse) {
    return copy(from);
  }

  /** Serializes {@link EndpointStats}; immutable, so copies are the same object. */
  static final class StatsSerializer extends BinarySerializer<EndpointStats> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
      return true;
    }

    @Override
    public EndpointStats createInstance() {
      return EndpointStats.empty();
    }

    @Override
    public EndpointStats copy(EndpointStats from) {
      return from;
    }

    @Override
    public void serialize(EndpointStats record, DataOutputView target) throws IOException {
      record.writeTo(target);
    }

    @Override
    public EndpointStats deserialize(DataInputView source) throws IOException {
      return EndpointStats.readFrom(source);
    }

    @Override
    public TypeSerializerSnapshot<EndpointStats> snapshotConfiguration() {
      return new StatsSnapshot();
    }
  }

  /** Serializes {@link EndpointPanes}, the per-endpoint window state. */
  static final class PanesSerializer extends BinarySerializer<EndpointPanes> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
      return false;
    }

    @Override
    public EndpointPanes createInstance() {
      return new EndpointPanes(10_000, 1_000);
    }

    @Override
    public EndpointPanes copy(EndpointPanes from) {
      return from.copy();
    }

    @Override
    public void serialize(EndpointPanes record, DataOutputView target) throws IOException {
      record.writeTo(target);
    }

    @Override
    public EndpointPanes deserialize(DataInputView source) throws IOException {
      return EndpointPanes.readFrom(source);
    }

    @Override
    public TypeSerializerSnapshot<EndpointPanes> snapshotConfiguration() {
      return new PanesSnapshot();
    }
  }

  /**
   * Serializes {@link Sample}, the record that crosses the network to the window stage, field by
   * field (Flink's POJO serializer would go through reflection and per-field null flags).
   */
  static final class SampleSerializer extends BinarySerializer<Sample> {
    private static final long serialVersionUID = 1L;
    private static final ErrorClass[] OUTCOMES = ErrorClass.values();

    @Override
    public boolean isImmutableType() {
      return false;
    }

    @Override
    public Sample createInstance() {
      return new Sample();
    }

    @Override
    public Sample copy(Sample from) {
      Sample s = new Sample();
      s.key = from.key;
      s.identity = from.identity;
      s.hasEndpoint = from.hasEndpoint;
      s.timestampMillis = from.timestampMillis;
      s.latencyMillis = from.latencyMillis;
      s.outcome = from.outcome;
      s.proxyHash = from.proxyHash;
      return s;
    }

    /** The key's hash and the identity as is. */
    @Override
    public void serialize(Sample s, DataOutputView target) throws IOException {
      target.writeLong(s.key);
      writeBytes(s.identity, target);
      target.writeBoolean(s.hasEndpoint);
      target.writeLong(s.timestampMillis);
      target.writeDouble(s.latencyMillis);
      target.writeByte(s.outcome.ordinal());
      target.writeInt(s.proxyHash);
    }

    @Override
    public Sample deserialize(DataInputView source) throws IOException {
      Sample s = new Sample();
      s.key = source.readLong();
      s.identity = readBytes(source);
      s.hasEndpoint = source.readBoolean();
      s.timestampMillis = source.readLong();
      s.latencyMillis = source.readDouble();
      s.outcome = OUTCOMES[source.readByte()];
      s.proxyHash = source.readInt();
      return s;
    }

    private static void writeBytes(byte[] bytes, DataOutputView target) throws IOException {
      target.writeInt(bytes.length);
      target.write(bytes);
    }

    private static byte[] readBytes(DataInputView source) throws IOException {
      byte[] bytes = new byte[source.readInt()];
      source.readFully(bytes);
      return bytes;
    }

    @Override
    public TypeSerializerSnapshot<Sample> snapshotConfiguration() {
      return new SampleSnapshot();
    }
  }

  /** Restores {@link SampleSerializer}; public no-arg constructor for Flink. */
  public static final class SampleSnapshot extends SimpleTypeSerializerSnapshot<Sample> {
    public SampleSnapshot() {
      super(() -> SAMPLE);
    }
  }

  /** Restores {@link PanesSerializer}; public no-arg constructor for Flink. */
  public static final class PanesSnapshot extends SimpleTypeSerializerSnapshot<EndpointPanes> {
    public PanesSnapshot() {
      super(() -> ENDPOINT_PANES);
    }
  }

  /** Restores {@link StatsSerializer}; public no-arg constructor for Flink. */
  public static final class StatsSnapshot extends SimpleTypeSerializerSnapshot<EndpointStats> {
    public StatsSnapshot() {
      super(() -> ENDPOINT_STATS);
    }
  }
}
