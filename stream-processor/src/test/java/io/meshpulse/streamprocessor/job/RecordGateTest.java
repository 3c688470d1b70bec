package io.meshpulse.streamprocessor.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.Reporter;
import io.meshpulse.streamprocessor.io.AccessRecordSchema;
import io.meshpulse.streamprocessor.io.EndpointKey;
import io.meshpulse.streamprocessor.io.Inbound;
import io.meshpulse.streamprocessor.io.OutRecord;
import io.meshpulse.streamprocessor.io.Sample;
import io.meshpulse.streamprocessor.score.ErrorClass;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecordGateTest {
  private static final long NOW = 1_700_000_000_000L;
  private OneInputStreamOperatorTestHarness<Inbound, Sample> harness;

  @BeforeEach
  void setUp() throws Exception {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new RecordGate(clock, Duration.ofMinutes(5).toMillis()));
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private static List<Inbound> decode(byte[] value) {
    List<Inbound> out = new ArrayList<>();
    new AccessRecordSchema()
        .deserialize(
            new ConsumerRecord<>("mesh.access-records.v1", 2, 41L, "k".getBytes(), value),
            new Collector<>() {
              @Override
              public void collect(Inbound record) {
                out.add(record);
              }

              @Override
              public void close() {}
            });
    return out;
  }

  @Test
  void undecodableBytes_becomeADeadLetter_withTheReasonAndOrigin_andNothingElse() throws Exception {
    List<Inbound> decoded = decode(new byte[] {(byte) 0xff, 0x01, 0x02});
    assertThat(decoded).as("decoded").hasSize(1);
    harness.processElement(decoded.get(0), Long.MIN_VALUE);
    assertThat(harness.extractOutputValues()).as("main output").isEmpty();
    assertThat(harness.getSideOutput(RecordGate.DEAD_LETTERS))
        .as("dead letters")
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getValue().error).as("reason").contains("not a valid AccessRecord");
              assertThat(r.getValue().origin).as("origin").isEqualTo("mesh.access-records.v1-2@41");
              assertThat(r.getValue().value)
                  .as("original bytes kept")
                  .containsExactly((byte) 0xff, 0x01, 0x02);
            });
  }

  @Test
  void aClusterNameLongerThanTheStateCanHold_becomesADeadLetter_notAJobFailure() throws Exception {
    byte[] bytes =
        TestSamples.record("reviews", 1, NOW - 1_000, 200, 12).toBuilder()
            .setCluster("c".repeat(70_000))
            .build()
            .toByteArray();
    List<Inbound> decoded = decode(bytes);
    assertThat(decoded)
        .as("decoded")
        .singleElement()
        .satisfies(in -> assertThat(in.sample).isNull());
    harness.processElement(decoded.get(0), Long.MIN_VALUE);
    assertThat(harness.extractOutputValues()).as("main output").isEmpty();
    assertThat(harness.getSideOutput(RecordGate.DEAD_LETTERS))
        .as("dead letters")
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.getValue().error)
                    .as("reason")
                    .isEqualTo("cluster or subset name of 70000 bytes, longer than 16384"));
  }

  @Test
  void aDeadLetterOfAHugeValue_keepsItsFirst900KB_andSaysSo() {
    byte[] huge = new byte[2_000_000];
    huge[0] = 7;
    OutRecord letter = OutRecord.deadLetter(null, huge, "not a valid AccessRecord", "t-0@1");
    assertThat(letter.value).as("value").hasSize(900 * 1024).startsWith((byte) 7);
    assertThat(letter.error)
        .as("reason")
        .isEqualTo("not a valid AccessRecord (value cut from 2000000 to its first 921600 bytes)");
    byte[] small = {1, 2, 3};
    assertThat(OutRecord.deadLetter(null, small, "x", "t-0@1").value)
        .as("a small value, whole")
        .containsExactly(1, 2, 3);
  }

  @Test
  void validRecord_passesWithItsErrorClass() throws Exception {
    byte[] bytes = TestSamples.record("reviews", 1, NOW - 1_000, 503, 12).toByteArray();
    Inbound in = decode(bytes).get(0);
    harness.processElement(in, NOW - 1_000);
    assertThat(harness.extractOutputValues())
        .as("samples")
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.outcome).as("outcome").isEqualTo(ErrorClass.HTTP_5XX);
              assertThat(s.latencyMillis).as("latency ms").isEqualTo(12.0);
              assertThat(s.key)
                  .as("key")
                  .isEqualTo(EndpointKey.of("reviews", "", "10.0.0.1", 8080));
            });
  }

  @Test
  void tooOld_tooNew_andHostless_recordsAreDropped() throws Exception {
    // Too old: the timestamp assigner gives it none, as to one too new.
    harness.processElement(
        Inbound.of(TestSamples.sample("reviews", 1, NOW - 600_000, 200, 5)),
        EventTimeAssigner.NO_TIMESTAMP);
    harness.processElement(
        Inbound.of(TestSamples.sample("reviews", 1, NOW + 3_600_000, 200, 5)),
        EventTimeAssigner.NO_TIMESTAMP);
    Sample hostless = TestSamples.sample("reviews", 1, NOW, 503, 5);
    hostless.hasEndpoint = false;
    harness.processElement(Inbound.of(hostless), NOW);
    harness.processElement(
        Inbound.of(TestSamples.sample("reviews", 1, NOW - 10, 200, 5)), NOW - 10);
    assertThat(harness.extractOutputValues())
        .as("only the fresh, attributable record")
        .singleElement()
        .satisfies(s -> assertThat(s.timestampMillis).isEqualTo(NOW - 10));
  }

  @Test
  void recordsTheDestinationsProxyReported_areCountedAndLeftOut_theCallersPass() throws Exception {
    for (Reporter reporter :
        new Reporter[] {
          Reporter.REPORTER_DESTINATION,
          Reporter.REPORTER_SOURCE,
          Reporter.REPORTER_UNSPECIFIED,
          Reporter.REPORTER_WAYPOINT
        }) {
      byte[] bytes =
          TestSamples.record("reviews", 1, NOW - 1_000, 200, 12).toBuilder()
              .setReporter(reporter)
              .build()
              .toByteArray();
      Inbound in = decode(bytes).get(0);
      assertThat(in.destinationReported)
          .as("%s read as the destination's", reporter)
          .isEqualTo(reporter == Reporter.REPORTER_DESTINATION);
      harness.processElement(in, NOW - 1_000);
    }
    assertThat(harness.extractOutputValues())
        .as("the source's, the unspecified and the waypoint's record")
        .hasSize(3);
  }
}
