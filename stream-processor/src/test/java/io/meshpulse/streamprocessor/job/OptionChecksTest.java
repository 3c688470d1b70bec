package io.meshpulse.streamprocessor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** Every bad setting stops the job at start, and the message names the option key. */
class OptionChecksTest {

  private static void assertRejected(Map<String, String> settings, String message) {
    assertRejected(Configuration.fromMap(settings), message);
  }

  private static void assertRejected(Configuration conf, String message) {
    assertThatThrownBy(
            () -> HealthJob.define(StreamExecutionEnvironment.getExecutionEnvironment(), conf))
        .as("%s", conf)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void badDurations_areRejectedAtStart_namingTheOption() {
    // Negative durations reach the job through the embedding API (a string "-1ms" does not parse).
    Configuration negative = new Configuration();
    negative.set(HealthJobOptions.OUT_OF_ORDERNESS, Duration.ofMillis(-1));
    assertRejected(negative, "meshpulse.health.watermark.out-of-orderness must not be negative");
    assertRejected(
        Map.of("meshpulse.health.input.max-record-age", "0ms"),
        "meshpulse.health.input.max-record-age must be at least 1 ms");
    Configuration oldAge = new Configuration();
    oldAge.set(HealthJobOptions.MAX_RECORD_AGE, Duration.ofMinutes(-5));
    assertRejected(oldAge, "meshpulse.health.input.max-record-age must be at least 1 ms");
    Configuration skew = new Configuration();
    skew.set(HealthJobOptions.MAX_FUTURE_SKEW, Duration.ofSeconds(-1));
    assertRejected(skew, "meshpulse.health.input.max-future-skew must not be negative");
    Configuration subMilli = new Configuration();
    subMilli.set(HealthJobOptions.WINDOW_SLIDE, Duration.ofNanos(500_000));
    subMilli.set(HealthJobOptions.WINDOW_SIZE, Duration.ofMillis(5));
    assertRejected(subMilli, "meshpulse.health.window.slide must be at least 1 ms");
    Configuration interval = new Configuration();
    interval.set(HealthJobOptions.WATERMARK_INTERVAL, Duration.ofNanos(100_000));
    assertRejected(interval, "meshpulse.health.watermark.interval must be at least 1 ms");
    assertRejected(
        Map.of("meshpulse.health.checkpoint.interval", "1ms"),
        "meshpulse.health.checkpoint.interval must be at least 10 ms");
  }

  @Test
  void transactionTimeout_mustExceedTheCheckpointInterval_withExactlyOnce() {
    assertRejected(
        Map.of(
            "meshpulse.health.kafka.delivery-guarantee", "exactly-once",
            "meshpulse.health.checkpoint.interval", "10min",
            "meshpulse.health.kafka.transaction-timeout", "5min"),
        "meshpulse.health.kafka.transaction-timeout must be longer than"
            + " meshpulse.health.checkpoint.interval");
    assertRejected(
        Map.of("meshpulse.health.kafka.transaction-timeout", "0s"),
        "meshpulse.health.kafka.transaction-timeout must be at least 1 ms");
    Configuration atLeastOnce =
        Configuration.fromMap(
            Map.of(
                "meshpulse.health.checkpoint.interval", "10min",
                "meshpulse.health.kafka.transaction-timeout", "5min"));
    assertThatCode(() -> OptionChecks.validate(atLeastOnce))
        .as("AT_LEAST_ONCE opens no transactions")
        .doesNotThrowAnyException();
  }

  @Test
  void transactionTimeout_mustOutlastACheckpointThatTakesItsWholeTimeout_withExactlyOnce() {
    assertRejected(
        Map.of(
            "meshpulse.health.kafka.delivery-guarantee", "exactly-once",
            "meshpulse.health.checkpoint.interval", "1min",
            "meshpulse.health.checkpoint.timeout", "4min",
            "meshpulse.health.kafka.transaction-timeout", "5min"),
        "meshpulse.health.kafka.transaction-timeout must be longer than"
            + " meshpulse.health.checkpoint.interval plus meshpulse.health.checkpoint.timeout");
    assertRejected(
        Map.of("meshpulse.health.checkpoint.tolerable-failures", "-1"),
        "meshpulse.health.checkpoint.tolerable-failures must not be negative");
    assertRejected(
        Map.of("meshpulse.health.checkpoint.timeout", "0s"),
        "meshpulse.health.checkpoint.timeout must be at least 1 ms");
  }

  @Test
  void aFailedCheckpoint_doesNotRestartTheJob_andAStuckOneIsAbandonedAfterTwoMinutes() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    HealthJob.define(env, new Configuration());
    assertThat(env.getCheckpointConfig().getTolerableCheckpointFailureNumber())
        .as("Flink's default, 0, restarts the job at the first failed checkpoint")
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(env.getCheckpointConfig().getCheckpointTimeout()).isEqualTo(120_000);

    StreamExecutionEnvironment strict = StreamExecutionEnvironment.getExecutionEnvironment();
    HealthJob.define(
        strict,
        Configuration.fromMap(
            Map.of(
                "meshpulse.health.checkpoint.tolerable-failures", "3",
                "meshpulse.health.checkpoint.timeout", "30s")));
    assertThat(strict.getCheckpointConfig().getTolerableCheckpointFailureNumber()).isEqualTo(3);
    assertThat(strict.getCheckpointConfig().getCheckpointTimeout()).isEqualTo(30_000);
  }

  @Test
  void parallelismZero_isRejected_namingTheOption() {
    assertRejected(
        Map.of("meshpulse.health.parallelism", "0"),
        "meshpulse.health.parallelism must be at least 1, was 0");
  }

  @Test
  void maxFutureSkew_largerThanWindowMinusSlide_isRejected() {
    assertRejected(
        Map.of("meshpulse.health.input.max-future-skew", "1min"),
        "meshpulse.health.input.max-future-skew must be at most meshpulse.health.window.size");
    Configuration atBound =
        Configuration.fromMap(Map.of("meshpulse.health.input.max-future-skew", "9500ms"));
    assertThat(OptionChecks.maxFutureSkewMillis(atBound)).as("10 s − 500 ms").isEqualTo(9_500);
  }

  @Test
  void maxFutureSkew_defaultsToFiveSeconds_cappedByASmallWindow() {
    assertThat(OptionChecks.maxFutureSkewMillis(new Configuration()))
        .as("default windows")
        .isEqualTo(5_000);
    Configuration small =
        Configuration.fromMap(
            Map.of("meshpulse.health.window.size", "2s", "meshpulse.health.window.slide", "500ms"));
    assertThat(OptionChecks.maxFutureSkewMillis(small)).as("2 s windows").isEqualTo(1_500);
    assertThatCode(() -> OptionChecks.validate(small))
        .as("a small window with the skew unset")
        .doesNotThrowAnyException();
    Configuration tumbling =
        Configuration.fromMap(
            Map.of("meshpulse.health.window.size", "1s", "meshpulse.health.window.slide", "1s"));
    assertThat(OptionChecks.maxFutureSkewMillis(tumbling))
        .as("tumbling windows: the out-of-orderness, not 0")
        .isEqualTo(500);
  }

  @Test
  void thresholdErrors_nameTheOptionKeys_notTheJavaFields() {
    Map<String, String> bad =
        Map.of(
            "meshpulse.health.score.min-requests", "0",
            "meshpulse.health.score.min-latency-requests", "5",
            "meshpulse.health.score.wilson-z", "0",
            "meshpulse.health.score.error-rate-floor", "0",
            "meshpulse.health.score.latency-ratio-at-zero", "1.2",
            "meshpulse.health.score.service-p99-threshold", "0ms",
            "meshpulse.health.score.min-latency-excess", "-1ms");
    bad.forEach(
        (key, value) -> {
          Configuration conf = Configuration.fromMap(Map.of(key, value));
          assertThatThrownBy(() -> OptionChecks.validate(conf))
              .as("%s=%s", key, value)
              .hasMessageContaining(key)
              .hasMessageNotContainingAny(
                  "minRequests", "minLatencyRequests", "errorRateFloor", "Millis");
        });
  }

  @Test
  void infiniteOrHugeThresholds_areRefused_notScoredAsNaN() {
    Map<String, String> bad =
        Map.of(
            "meshpulse.health.score.wilson-z", "1e200",
            "meshpulse.health.score.error-estimate-z", "Infinity",
            "meshpulse.health.score.error-evidence", "Infinity",
            "meshpulse.health.score.latency-ratio-at-zero", "Infinity",
            "meshpulse.health.score.min-requests", "9223372036854775807");
    bad.forEach(
        (key, value) -> {
          Configuration conf = Configuration.fromMap(Map.of(key, value));
          assertThatThrownBy(() -> OptionChecks.validate(conf))
              .as("%s=%s", key, value)
              .hasMessageContaining(key);
        });
  }

  @Test
  void theDefaults_pass() {
    assertThatCode(() -> OptionChecks.validate(new Configuration()))
        .as("defaults")
        .doesNotThrowAnyException();
  }
}
