package io.meshpulse.streamprocessor.job;

import io.meshpulse.streamprocessor.score.EndpointPanes;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Start-time checks of the job's settings: a bad value fails {@link HealthJob#define} on the
 * client, naming its option, instead of failing on a TaskManager (a restart loop) or silently
 * dropping every record.
 */
final class OptionChecks {
  /** Flink's smallest checkpoint interval. */
  private static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofMillis(10);

  private OptionChecks() {}

  /** Checks every setting that has a rule beyond its type; fails naming the first bad one. */
  static void validate(ReadableConfig conf) {
    Duration size = atLeastOneMilli(conf, HealthJobOptions.WINDOW_SIZE);
    Duration slide = atLeastOneMilli(conf, HealthJobOptions.WINDOW_SLIDE);
    if (size.toMillis() % slide.toMillis() != 0) {
      throw new IllegalArgumentException(
          HealthJobOptions.WINDOW_SIZE.key()
              + " must be a multiple of "
              + HealthJobOptions.WINDOW_SLIDE.key());
    }
    if (size.toMillis() / slide.toMillis() > EndpointPanes.MAX_SLIDES_PER_WINDOW) {
      throw new IllegalArgumentException(
          HealthJobOptions.WINDOW_SIZE.key()
              + " must be at most "
              + EndpointPanes.MAX_SLIDES_PER_WINDOW
              + " × "
              + HealthJobOptions.WINDOW_SLIDE.key()
              + ", was "
              + size
              + " / "
              + slide);
    }
    HealthJobOptions.thresholds(conf);
    notNegative(conf, HealthJobOptions.OUT_OF_ORDERNESS);
    positive(conf, HealthJobOptions.IDLENESS);
    atLeastOneMilli(conf, HealthJobOptions.WATERMARK_INTERVAL);
    atLeastOneMilli(conf, HealthJobOptions.MAX_RECORD_AGE);
    maxFutureSkewMillis(conf);
    Duration checkpoints = conf.get(HealthJobOptions.CHECKPOINT_INTERVAL);
    if (checkpoints.compareTo(MIN_CHECKPOINT_INTERVAL) < 0) {
      throw new IllegalArgumentException(
          HealthJobOptions.CHECKPOINT_INTERVAL.key()
              + " must be at least "
              + MIN_CHECKPOINT_INTERVAL.toMillis()
              + " ms, was "
              + checkpoints);
    }
    positive(conf, HealthJobOptions.RESTART_MAX_BACKOFF);
    Duration checkpointTimeout = atLeastOneMilli(conf, HealthJobOptions.CHECKPOINT_TIMEOUT);
    int tolerable = conf.get(HealthJobOptions.CHECKPOINT_TOLERABLE_FAILURES);
    if (tolerable < 0) {
      throw new IllegalArgumentException(
          HealthJobOptions.CHECKPOINT_TOLERABLE_FAILURES.key()
              + " must not be negative, was "
              + tolerable);
    }
    Duration transactions = atLeastOneMilli(conf, HealthJobOptions.TRANSACTION_TIMEOUT);
    if (conf.get(HealthJobOptions.DELIVERY_GUARANTEE) == DeliveryGuarantee.EXACTLY_ONCE
        && transactions.compareTo(checkpoints.plus(checkpointTimeout)) <= 0) {
      throw new IllegalArgumentException(
          HealthJobOptions.TRANSACTION_TIMEOUT.key()
              + " must be longer than "
              + HealthJobOptions.CHECKPOINT_INTERVAL.key()
              + " plus "
              + HealthJobOptions.CHECKPOINT_TIMEOUT.key()
              + " with EXACTLY_ONCE (a transaction stays open from one checkpoint until the next"
              + " completes), was "
              + transactions
              + " against "
              + checkpoints
              + " + "
              + checkpointTimeout);
    }
    conf.getOptional(HealthJobOptions.PARALLELISM)
        .filter(p -> p < 1)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(
                  HealthJobOptions.PARALLELISM.key() + " must be at least 1, was " + p);
            });
    notNegative(conf, HealthJobOptions.LINGER);
  }

  /**
   * {@link HealthJobOptions#MAX_FUTURE_SKEW}: at least 0 and at most window.size − window.slide (or
   * the out-of-orderness, when larger), beyond which a proxy whose clock runs that far ahead moves
   * the watermark past every window of the correctly timed records. Unset, its default capped at
   * that bound.
   */
  static long maxFutureSkewMillis(ReadableConfig conf) {
    // Tumbling windows (size = slide) still tolerate the out-of-orderness every record gets.
    long bound =
        Math.max(
            conf.get(HealthJobOptions.WINDOW_SIZE).toMillis()
                - conf.get(HealthJobOptions.WINDOW_SLIDE).toMillis(),
            conf.get(HealthJobOptions.OUT_OF_ORDERNESS).toMillis());
    if (conf.getOptional(HealthJobOptions.MAX_FUTURE_SKEW).isEmpty()) {
      return Math.max(
          0, Math.min(HealthJobOptions.MAX_FUTURE_SKEW.defaultValue().toMillis(), bound));
    }
    Duration skew = notNegative(conf, HealthJobOptions.MAX_FUTURE_SKEW);
    if (skew.toMillis() > bound) {
      throw new IllegalArgumentException(
          HealthJobOptions.MAX_FUTURE_SKEW.key()
              + " must be at most "
              + HealthJobOptions.WINDOW_SIZE.key()
              + " − "
              + HealthJobOptions.WINDOW_SLIDE.key()
              + " or the out-of-orderness ("
              + bound
              + " ms), was "
              + skew
              + ": a proxy whose clock runs that far ahead would push the watermark past every"
              + " window of the correctly timed records");
    }
    return skew.toMillis();
  }

  static Duration positive(ReadableConfig conf, ConfigOption<Duration> option) {
    Duration value = conf.get(option);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(option.key() + " must be positive, was " + value);
    }
    return value;
  }

  /** Positive and at least a millisecond, the resolution of event time and of the windows. */
  static Duration atLeastOneMilli(ReadableConfig conf, ConfigOption<Duration> option) {
    Duration value = conf.get(option);
    if (value.toMillis() < 1) {
      throw new IllegalArgumentException(option.key() + " must be at least 1 ms, was " + value);
    }
    return value;
  }

  static Duration notNegative(ReadableConfig conf, ConfigOption<Duration> option) {
    Duration value = conf.get(option);
    if (value.isNegative()) {
      throw new IllegalArgumentException(option.key() + " must not be negative, was " + value);
    }
    return value;
  }
}
