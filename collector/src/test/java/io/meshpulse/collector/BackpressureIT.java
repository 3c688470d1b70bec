package io.meshpulse.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.meshpulse.collector.sink.RecordBuffer;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.AccessRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class BackpressureIT {
  private static final Logger logger = LoggerFactory.getLogger(BackpressureIT.class);
  private static final int STREAMS = 4;
  private static final int ENTRIES_PER_BATCH = 50;
  private static final long MAX_RECORDS = 2_000;
  private static final long MAX_BYTES = 1_000_000;

  @Test
  void brokerOutage_pausesTheStreamsAndLosesNothing() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.createTopics(MeshTopics.all(3));
      try (CollectorRunner collector =
          CollectorRunner.start(
              kafka.bootstrapServers(),
              "meshpulse.collector.buffer.max-records=" + MAX_RECORDS,
              "meshpulse.collector.buffer.max-bytes=" + MAX_BYTES + "B",
              "meshpulse.collector.buffer.hard-max-records=10000000",
              "meshpulse.collector.buffer.hard-max-bytes=1GB",
              "meshpulse.collector.kafka.request-timeout=5s",
              "meshpulse.collector.kafka.delivery-timeout=5m")) {
        ManagedChannel channel = collector.plaintextChannel();
        RecordBuffer buffer = collector.bean(RecordBuffer.class);
        AtomicLong maxRecords = new AtomicLong();
        AtomicLong maxBytes = new AtomicLong();
        Thread sampler =
            new Thread(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    maxRecords.accumulateAndGet(buffer.records(), Math::max);
                    maxBytes.accumulateAndGet(buffer.bytes(), Math::max);
                    try {
                      Thread.sleep(5);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
        sampler.start();
        AtomicInteger notReadyWaits = new AtomicInteger();
        List<PacedSender> senders = new ArrayList<>();
        for (int s = 0; s < STREAMS; s++) {
          String prefix = "bp-" + s + "-";
          senders.add(
              new PacedSender(
                      channel,
                      Node.newBuilder().setId("proxy-" + s).setCluster("frontend").build(),
                      ENTRIES_PER_BATCH,
                      Duration.ofMillis(10),
                      i -> entry(prefix + i),
                      notReadyWaits)
                  .start());
        }

        Thread.sleep(1_500);
        int sentBeforeOutage = total(senders);
        kafka.stop();
        Thread.sleep(8_000);
        int sentDuringOutage = total(senders) - sentBeforeOutage;
        long pausedStreams = buffer.waiting();
        kafka.start();
        Thread.sleep(1_500);
        List<Status> statuses = new ArrayList<>();
        for (PacedSender sender : senders) {
          statuses.add(sender.finish().get(60, TimeUnit.SECONDS));
        }
        sampler.interrupt();

        Set<String> expected = new HashSet<>();
        for (int s = 0; s < STREAMS; s++) {
          for (int i = 0; i < senders.get(s).sentEntries(); i++) {
            expected.add("bp-" + s + "-" + i);
          }
        }
        List<String> received = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record :
            TopicReader.read(
                kafka.bootstrapServers(),
                Topics.ACCESS_RECORDS,
                expected.size(),
                Duration.ofSeconds(90),
                Duration.ofSeconds(1))) {
          received.add(AccessRecord.parseFrom(record.value()).getRequestId());
        }
        String exposition = collector.scrape();
        channel.shutdownNow();
        logger.info(
            "backpressure run: sentBeforeOutage={} sentDuringOutage={} sentTotal={} received={}"
                + " maxBufferRecords={} maxBufferBytes={} notReadyWaits={}",
            sentBeforeOutage,
            sentDuringOutage,
            expected.size(),
            received.size(),
            maxRecords.get(),
            maxBytes.get(),
            notReadyWaits.get());

        assertThat(statuses).as("every stream closed normally").allMatch(Status::isOk);
        assertThat(sentBeforeOutage).as("entries sent before the outage").isPositive();
        assertThat(sentDuringOutage)
            .as("senders kept sending into the outage until the buffer filled")
            .isPositive();
        assertThat(pausedStreams).as("streams paused during the outage").isEqualTo(STREAMS);
        assertThat(received).as("records in Kafka equal records sent").hasSize(expected.size());
        assertThat(new HashSet<>(received)).as("the same records").isEqualTo(expected);
        long slackRecords = (long) STREAMS * ENTRIES_PER_BATCH;
        assertThat(maxRecords.get())
            .as("buffer records stay under the limit plus one message per stream")
            .isLessThanOrEqualTo(MAX_RECORDS + slackRecords);
        assertThat(maxBytes.get())
            .as("buffer bytes stay under the limit plus one message per stream")
            .isLessThanOrEqualTo(MAX_BYTES + slackRecords * 400);
        assertThat(
                CollectorRunner.sample(exposition, "meshpulse_collector_backpressure_pauses_total"))
            .as("backpressure pauses")
            .isPositive();
        for (String reason :
            new String[] {"buffer_hard_limit", "kafka_rejected", "shutdown", "sink_error"}) {
          assertThat(
                  CollectorRunner.sample(
                      exposition,
                      "meshpulse_collector_records_dropped_total{reason=\"" + reason + "\"}"))
              .as("records dropped, reason %s", reason)
              .isZero();
        }
        assertThat(exposition)
            .as("drop reasons exported")
            .contains("meshpulse_collector_records_dropped_total{reason=\"shutdown\"} 0.0");
        assertThat(notReadyWaits.get()).as("senders saw the transport push back").isPositive();
      }
    }
  }

  private static int total(List<PacedSender> senders) {
    return senders.stream().mapToInt(PacedSender::sentEntries).sum();
  }

  private static HTTPAccessLogEntry entry(String requestId) {
    return HTTPAccessLogEntry.newBuilder()
        .setCommonProperties(
            AccessLogCommon.newBuilder()
                .setUpstreamCluster("outbound|9080|v1|reviews")
                .setUpstreamRemoteAddress(
                    Address.newBuilder()
                        .setSocketAddress(
                            SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(9101))))
        .setRequest(HTTPRequestProperties.newBuilder().setRequestId(requestId))
        .setResponse(
            HTTPResponseProperties.newBuilder()
                .setResponseCode(com.google.protobuf.UInt32Value.of(200)))
        .build();
  }
}
