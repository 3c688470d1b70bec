package io.meshpulse.streamprocessor.job;

import io.meshpulse.model.ProtoSerializer;
import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.model.v1.Reporter;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces realistic access-record traffic in a background thread: {@code endpoints} hosts of one
 * cluster, {@code rps} requests per second each, event time = the wall clock at production, latency
 * log-normal around 20 ms, reported by three proxies. One host can be switched to a fault.
 */
final class TrafficGenerator implements AutoCloseable {
  enum Fault {
    NONE,
    HTTP_503,
    LATENCY_X3
  }

  static final int BAD_HOST = 10;

  private final KafkaProducer<String, AccessRecord> producer;
  private final String bootstrap;
  private final String topic;
  private final String cluster;
  private final int endpoints;
  private final int rps;
  private final Thread thread;
  private final Random random = new Random(42);
  private volatile boolean running = true;
  private volatile Fault fault = Fault.NONE;
  private final AtomicLong firstFaultMillis = new AtomicLong(-1);
  private final AtomicLong produced = new AtomicLong();

  TrafficGenerator(String bootstrap, String topic, String cluster, int endpoints, int rps) {
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.LINGER_MS_CONFIG,
                2,
                ProducerConfig.ACKS_CONFIG,
                "1"),
            new StringSerializer(),
            new ProtoSerializer<>());
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.cluster = cluster;
    this.endpoints = endpoints;
    this.rps = rps;
    this.thread = new Thread(this::run, "traffic-" + cluster);
    thread.setDaemon(true);
  }

  TrafficGenerator start() {
    thread.start();
    return this;
  }

  /** Turns host {@value #BAD_HOST} bad from the next record on. */
  void inject(Fault newFault) {
    fault = newFault;
  }

  /** Event time (= wall-clock production time) of the first faulty record, or -1. */
  long firstFaultMillis() {
    return firstFaultMillis.get();
  }

  long produced() {
    return produced.get();
  }

  /** Sends one record now (for tests of bad input). */
  void send(String key, byte[] value) {
    try (KafkaProducer<String, byte[]> raw =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(topic, key, value));
    }
  }

  private void run() {
    long tickNanos = TimeUnit.SECONDS.toNanos(1) / rps;
    long next = System.nanoTime();
    while (running) {
      long now = System.currentTimeMillis();
      Fault current = fault;
      for (int host = 1; host <= endpoints; host++) {
        boolean bad = host == BAD_HOST && current != Fault.NONE;
        if (bad) {
          firstFaultMillis.compareAndSet(-1, now);
        }
        double latencyMillis = 20 * Math.exp(0.25 * random.nextGaussian());
        if (bad && current == Fault.LATENCY_X3) {
          latencyMillis *= 3;
        }
        AccessRecord record =
            AccessRecord.newBuilder()
                .setReporter(Reporter.REPORTER_SOURCE)
                .setNodeId("proxy-" + random.nextInt(3))
                .setCluster(cluster)
                .setUpstreamCluster("outbound|9080||" + cluster)
                .setEndpoint(Endpoint.newBuilder().setAddress("10.0.0." + host).setPort(9080))
                .setProtocol(Protocol.PROTOCOL_HTTP)
                .setResponseCode(bad && current == Fault.HTTP_503 ? 503 : 200)
                .setResponseFlagsText("-")
                .setStartTimeUnixMicros(now * 1000 - (long) (latencyMillis * 1000))
                .setDurationMicros((long) (latencyMillis * 1000))
                .build();
        producer.send(new ProducerRecord<>(topic, RecordKeys.of(record), record));
        produced.incrementAndGet();
      }
      next += tickNanos;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(sleep);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    producer.close();
  }
}
