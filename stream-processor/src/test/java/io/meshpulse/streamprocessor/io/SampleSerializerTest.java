package io.meshpulse.streamprocessor.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.SampleRecords;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SampleSerializerTest {
  @Test
  void sample_crossesTheNetworkWithEveryField() throws Exception {
    Sample sample = Sample.of(SampleRecords.accessRecord());
    TypeSerializer<Sample> serializer =
        BinaryTypeInfo.SAMPLE.createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(sample, out);
    Sample back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

    assertThat(back)
        .as("deserialized")
        .usingRecursiveComparison()
        .isEqualTo(sample)
        .isEqualTo(serializer.copy(sample));
    assertThat(back.outcome).as("outcome of a 503 with UF").isEqualTo(sample.outcome);
    assertThat(back.endpointId()).as("endpoint identity").isEqualTo(sample.endpointId());
  }
}
