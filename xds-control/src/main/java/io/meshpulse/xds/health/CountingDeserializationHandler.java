package io.meshpulse.xds.health;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips a health record that does not decode, counts it, and logs it (at most one line every ten
 * seconds). The counter is handed over through the Streams configuration under {@link #COUNTER}.
 */
public final class CountingDeserializationHandler implements DeserializationExceptionHandler {
  static final String COUNTER = "meshpulse.malformed.counter";
  private static final Logger logger =
      LoggerFactory.getLogger(CountingDeserializationHandler.class);
  private static final AtomicLong lastLog = new AtomicLong();

  private AtomicLong counter = new AtomicLong();

  @Override
  public void configure(Map<String, ?> configs) {
    if (configs.get(COUNTER) instanceof AtomicLong c) {
      counter = c;
    }
  }

  @Override
  public DeserializationHandlerResponse handle(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    long n = counter.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastLog.get();
    if (now - last > 10_000 && lastLog.compareAndSet(last, now)) {
      logger.warn(
          "skipping malformed health record topic={} partition={} offset={} malformedSoFar={} error={}",
          context.topic(),
          context.partition(),
          context.offset(),
          n,
          exception.getMessage());
    }
    return DeserializationHandlerResponse.CONTINUE;
  }
}
