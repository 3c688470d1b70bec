package io.meshpulse.collector.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.collector.metrics.CollectorMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaSinkTest {
  private static final String RECORDS = "records";
  private static final String STATS = "stats";
  // Record i was admitted at ADMITTED + i (epoch ms; long before the test runs).
  private static final long ADMITTED = 1_700_000_000_000L;

  private final RecordBuffer buffer =
      new RecordBuffer(new BufferLimits(10_000, 10_000_000, 20_000, 20_000_000));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CollectorMetrics metrics = new CollectorMetrics(registry);
  private final FakeProducer producer = new FakeProducer();
  private final KafkaSink sink =
      new KafkaSink(buffer, producer, metrics, Duration.ofMillis(300), () -> {});

  @AfterEach
  void stop() {
    sink.close();
  }

  @Test
  void aTopicWithoutMetadata_doesNotHoldUpTheOtherTopic() throws Exception {
    producer.unavailable.add(STATS);
    List<OutgoingRecord> interleaved = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      interleaved.add(record(STATS, i));
      interleaved.add(record(RECORDS, i));
    }
    buffer.offer(interleaved);

    sink.start();
    await(() -> producer.deliveredValues(RECORDS).size() == 200, "the healthy topic delivered");

    assertThat(producer.deliveredValues(RECORDS))
        .as("healthy topic, in order")
        .isEqualTo(values(200));
    assertThat(producer.deliveredValues(STATS)).as("failing topic").isEmpty();
    assertThat(producer.attempts(STATS))
        .as("records of a topic whose metadata was never found, handed to the producer")
        .isZero();
    assertThat(buffer.records()).as("the failing topic's records still held").isEqualTo(200);
    assertThat(dropped()).as("nothing dropped").isZero();
  }

  @Test
  void aTopicWithoutMetadata_neverHoldsTheSinkThread() throws Exception {
    // As KafkaProducer with max.block.ms=400: send and partitionsFor wait that long for metadata.
    producer.metadataWait = Duration.ofMillis(400);
    producer.unavailable.add(STATS);
    sink.start();

    for (int i = 0; i < 60; i++) {
      buffer.offer(List.of(record(STATS, i), record(RECORDS, i)));
      int delivered = i + 1;
      await(() -> producer.deliveredValues(RECORDS).size() == delivered, "record " + i);
      Thread.sleep(20);
    }

    assertThat(producer.lookUps(STATS)).as("look-ups of the missing topic").isGreaterThan(1);
    assertThat(producer.metadataWaiters)
        .as("threads that waited for the missing topic's metadata")
        .isNotEmpty()
        .allMatch(name -> name.startsWith("meshpulse-kafka-metadata-"), "the probe's threads");
    assertThat(producer.deliveredValues(RECORDS)).as("in order").isEqualTo(values(60));
  }

  @Test
  void aTopicThatLosesItsMetadata_isLookedUpBeforeItsRecordsAreSentAgain() throws Exception {
    buffer.offer(IntStream.range(0, 10).mapToObj(i -> record(RECORDS, i)).toList());
    sink.start();
    await(() -> producer.deliveredValues(RECORDS).size() == 10, "the first ten delivered");

    producer.unavailable.add(RECORDS);
    buffer.offer(IntStream.range(10, 20).mapToObj(i -> record(RECORDS, i)).toList());
    await(() -> producer.lookUps(RECORDS) >= 4, "three look-ups after the failed send");
    int attemptsWhileMissing = producer.attempts(RECORDS);
    producer.unavailable.remove(RECORDS);
    await(() -> buffer.records() == 0, "every record acknowledged");

    assertThat(attemptsWhileMissing)
        .as("sends while the topic was missing: the ten delivered, then the one that failed")
        .isEqualTo(11);
    assertThat(producer.deliveredValues(RECORDS)).as("order, no duplicates").isEqualTo(values(20));
    assertThat(retries(RECORDS))
        .as("retries: the failed send and the failed look-ups")
        .isEqualTo(1 + producer.lookUps(RECORDS) - 2);
    assertThat(dropped()).as("nothing dropped").isZero();
  }

  @Test
  void recordsSetAside_arriveInTheirOrderOnce_onceTheTopicRecovers() throws Exception {
    producer.unavailable.add(RECORDS);
    sink.start();
    for (int batch = 0; batch < 10; batch++) {
      List<OutgoingRecord> records = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        records.add(record(RECORDS, batch * 10 + i));
      }
      buffer.offer(records);
    }
    await(() -> producer.lookUps(RECORDS) >= 3, "three failed look-ups");

    producer.unavailable.remove(RECORDS);
    await(() -> buffer.records() == 0, "every record acknowledged");

    assertThat(producer.deliveredValues(RECORDS)).as("order, no duplicates").isEqualTo(values(100));
    assertThat(producer.delivered.stream().map(ProducerRecord::timestamp).toList())
        .as("each record's Kafka timestamp: when it was admitted, not when it was sent")
        .isEqualTo(LongStream.range(0, 100).mapToObj(i -> ADMITTED + i).toList());
    assertThat(producer.attempts(RECORDS)).as("each record handed over once").isEqualTo(100);
    assertThat(produced(RECORDS)).as("produced, counted once each").isEqualTo(100);
    assertThat(retries(RECORDS))
        .as("every failed look-up counted as a retry of its topic")
        .isEqualTo(producer.lookUps(RECORDS) - 1);
    assertThat(dropped()).as("nothing dropped").isZero();
  }

  @Test
  void aTopicThatKeepsFailing_isRetriedWithAGrowingBackoff() throws Exception {
    producer.unavailable.add(RECORDS);
    buffer.offer(IntStream.range(0, 1000).mapToObj(i -> record(RECORDS, i)).toList());

    sink.start();
    await(() -> producer.lookUps(RECORDS) >= 2, "a first retry");
    Thread.sleep(2_000); // the span over which attempts are counted
    int attempts = producer.lookUps(RECORDS);

    // Backoff 50, 100, 200, 400, 800, 1600 ms (TopicLaneTest has the exact steps): about 7
    // attempts in 2 s, however slow the machine; without a backoff, one per 10 ms poll or more.
    assertThat(attempts).as("look-ups in a little over 2 s").isBetween(4, 12);
    assertThat(retries(RECORDS)).as("retries counted").isEqualTo(attempts);
    assertThat(producer.attempts(RECORDS)).as("sends without metadata").isZero();
    assertThat(buffer.records()).as("nothing lost").isEqualTo(1000);
  }

  @Test
  void aTopicThatTakesSomeHeldRecordsEachTime_isRetriedSoon_notAfterAGrowingBackoff()
      throws Exception {
    // A slow broker: the producer's buffer takes 10 records, and room for 10 more every 100 ms.
    producer.room.set(10);
    buffer.offer(IntStream.range(0, 200).mapToObj(i -> record(RECORDS, i)).toList());
    Thread drain =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
                producer.room.set(10);
              }
            });
    drain.start();
    try {
      long start = System.nanoTime();
      sink.start();
      await(() -> buffer.records() == 0, "every record acknowledged");
      double seconds = (System.nanoTime() - start) / 1e9;
      // 20 rounds of 10 records at 100 ms: about 2 s. A backoff that doubled at each attempt
      // (50 ms to 5 s) although each took records would need about 70 s.
      assertThat(seconds).as("seconds to send 200 records at 100 a second").isLessThan(8.0);
    } finally {
      drain.interrupt();
    }
    assertThat(producer.deliveredValues(RECORDS)).as("order, no duplicates").isEqualTo(values(200));
    assertThat(dropped()).as("nothing dropped").isZero();
  }

  @Test
  void deliveriesThatFailLater_areSentAgainInTheirOrder() throws Exception {
    producer.holdAcknowledgements = true;
    buffer.offer(IntStream.range(0, 50).mapToObj(i -> record(RECORDS, i)).toList());
    sink.start();
    await(() -> producer.attempts(RECORDS) == 50, "all 50 in flight");

    producer.holdAcknowledgements = false;
    producer.failInFlight();
    await(() -> buffer.records() == 0, "every record acknowledged");

    assertThat(producer.deliveredValues(RECORDS)).as("order after the retry").isEqualTo(values(50));
    assertThat(retries(RECORDS)).as("retries").isEqualTo(50);
    assertThat(produced(RECORDS)).as("produced").isEqualTo(50);
  }

  @Test
  void anUnexpectedExceptionFromTheProducer_isCountedAndTheSinkKeepsRunning() throws Exception {
    producer.throwOnce = new IllegalStateException("a defect");
    buffer.offer(IntStream.range(0, 10).mapToObj(i -> record(RECORDS, i)).toList());

    sink.start();
    await(() -> buffer.records() == 0, "every record acknowledged");

    assertThat(producer.deliveredValues(RECORDS))
        .as("every record, in order")
        .isEqualTo(values(10));
    assertThat(
            registry
                .get("meshpulse.collector.sink.errors")
                .tag("exception", "IllegalStateException")
                .counter()
                .count())
        .as("the error counted")
        .isEqualTo(1);
    assertThat(registry.get("meshpulse.collector.sink.running").gauge().value())
        .as("the sink still runs")
        .isEqualTo(1);
  }

  @Test
  void anErrorThatEndsTheSink_isReported_andItsRecordsAreCountedAtShutdown() throws Exception {
    java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
    SimpleMeterRegistry own = new SimpleMeterRegistry();
    FakeProducer failing = new FakeProducer();
    failing.errorOnce = new UnsatisfiedLinkError("no native codec in java.library.path");
    KafkaSink dying =
        new KafkaSink(
            buffer,
            failing,
            new CollectorMetrics(own),
            Duration.ofMillis(300),
            reported::countDown);
    buffer.offer(IntStream.range(0, 10).mapToObj(i -> record(RECORDS, i)).toList());

    dying.start();

    assertThat(reported.await(5, java.util.concurrent.TimeUnit.SECONDS))
        .as("the sink's end reported")
        .isTrue();
    await(
        () -> own.get("meshpulse.collector.sink.running").gauge().value() == 0,
        "the sink thread ended");
    dying.close();
    assertThat(
            own.get("meshpulse.collector.records.dropped")
                .tag("reason", CollectorMetrics.DROP_SHUTDOWN)
                .counter()
                .count())
        .as("the records it held, dropped at shutdown")
        .isEqualTo(10);
  }

  @Test
  void aRecordThatAlwaysFailsUnexpectedly_isDroppedAfterItsAttempts_andTheRestFlows()
      throws Exception {
    List<OutgoingRecord> records =
        IntStream.range(0, 10).mapToObj(i -> record(RECORDS, i)).toList();
    producer.poison = records.get(3).value();
    buffer.offer(records);

    sink.start();
    await(() -> buffer.records() == 0, "every record released");

    List<String> expected = new java.util.ArrayList<>(values(10));
    expected.remove("3");
    assertThat(producer.deliveredValues(RECORDS)).as("the others, in order").isEqualTo(expected);
    assertThat(dropped(CollectorMetrics.DROP_SINK_ERROR)).as("dropped").isEqualTo(1);
    assertThat(producer.attempts(RECORDS))
        .as("attempts: 9 records once, the failing one " + KafkaSink.UNEXPECTED_ATTEMPTS + " times")
        .isEqualTo(9 + KafkaSink.UNEXPECTED_ATTEMPTS);
  }

  @Test
  void aRecordKafkaRejects_isDroppedAndCountedOnce() throws Exception {
    producer.tooLarge.add(STATS);
    buffer.offer(List.of(record(STATS, 0), record(RECORDS, 0), record(STATS, 1)));

    sink.start();
    await(() -> buffer.records() == 0, "every record released");

    assertThat(dropped(CollectorMetrics.DROP_KAFKA_REJECTED)).as("rejected").isEqualTo(2);
    assertThat(produced(RECORDS)).as("the other record").isEqualTo(1);
    assertThat(producer.attempts(STATS)).as("a rejected record is not retried").isEqualTo(2);
  }

  @Test
  void shutdown_countsEveryAdmittedRecordOnce_asProducedOrDropped() throws Exception {
    producer.holdAcknowledgements = true; // in flight until the producer closes, then delivered
    producer.unavailable.add(STATS);
    List<OutgoingRecord> admitted = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      admitted.add(record(RECORDS, i));
      admitted.add(record(STATS, i));
    }
    buffer.offer(admitted);
    sink.start();
    await(() -> producer.attempts(RECORDS) == 50, "the healthy topic in flight");

    sink.close();
    sink.close();

    assertThat(produced(RECORDS)).as("delivered while the producer closed").isEqualTo(50);
    assertThat(dropped(CollectorMetrics.DROP_SHUTDOWN)).as("held at shutdown").isEqualTo(50);
    assertThat(dropped(CollectorMetrics.DROP_KAFKA_REJECTED)).as("rejected").isZero();
    assertThat(produced(RECORDS) + produced(STATS) + dropped())
        .as("produced + dropped == admitted")
        .isEqualTo(admitted.size());
  }

  @Test
  void recordsAbortedByTheProducersClose_countAsShutdownDropsOnly() throws Exception {
    producer.holdAcknowledgements = true;
    producer.abortOnClose = true;
    buffer.offer(IntStream.range(0, 20).mapToObj(i -> record(RECORDS, i)).toList());
    sink.start();
    await(() -> producer.attempts(RECORDS) == 20, "in flight");

    sink.close();

    assertThat(dropped(CollectorMetrics.DROP_SHUTDOWN)).as("shutdown").isEqualTo(20);
    assertThat(dropped(CollectorMetrics.DROP_KAFKA_REJECTED)).as("rejected").isZero();
    assertThat(produced(RECORDS)).as("produced").isZero();
  }

  private static OutgoingRecord record(String topic, int i) {
    return new OutgoingRecord(
        topic, new byte[] {1}, String.valueOf(i).getBytes(StandardCharsets.UTF_8), ADMITTED + i);
  }

  private static List<String> values(int n) {
    return IntStream.range(0, n).mapToObj(String::valueOf).toList();
  }

  private long produced(String topic) {
    Counter counter =
        registry.find("meshpulse.collector.records.produced").tag("topic", topic).counter();
    return counter == null ? 0 : (long) counter.count();
  }

  private long retries(String topic) {
    Counter counter =
        registry.find("meshpulse.collector.produce.retries").tag("topic", topic).counter();
    return counter == null ? 0 : (long) counter.count();
  }

  private long dropped(String reason) {
    return (long)
        registry.get("meshpulse.collector.records.dropped").tag("reason", reason).counter().count();
  }

  private long dropped() {
    return (long)
        registry.find("meshpulse.collector.records.dropped").counters().stream()
            .mapToDouble(Counter::count)
            .sum();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(5);
    }
  }
}
