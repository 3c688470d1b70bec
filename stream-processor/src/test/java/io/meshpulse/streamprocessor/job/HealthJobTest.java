package io.meshpulse.streamprocessor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class HealthJobTest {

  @Test
  void everyOption_hasTheMeshpulsePrefixAndADescription() throws IllegalAccessException {
    List<Field> fields =
        Arrays.stream(HealthJobOptions.class.getFields())
            .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class)
            .toList();
    assertThat(fields).as("options").hasSizeGreaterThan(30);
    for (Field field : fields) {
      ConfigOption<?> option = (ConfigOption<?>) field.get(null);
      assertThat(option.key()).as("key of %s", field.getName()).startsWith("meshpulse.health.");
      assertThat(option.description().toString())
          .as("description of %s", option.key())
          .isNotBlank();
    }
  }

  @Test
  void arguments_acceptDashDashKeyValue_andKeyEqualsValue() {
    assertThat(
            HealthJob.parseArgs(
                new String[] {
                  "--meshpulse.health.window.slide", "2 s", "meshpulse.health.parallelism=3"
                }))
        .as("parsed")
        .containsEntry("meshpulse.health.window.slide", "2 s")
        .containsEntry("meshpulse.health.parallelism", "3");
    assertThatThrownBy(() -> HealthJob.parseArgs(new String[] {"stray"}))
        .as("a bare word")
        .hasMessageContaining("stray");
  }

  @Test
  void requireKnown_namesAMistypedSetting_andLetsFlinksOwnPass() {
    assertThat(HealthJobOptions.keys())
        .as("keys")
        .contains("meshpulse.health.window.slide", "meshpulse.health.score.latency-evidence");
    HealthJobOptions.requireKnown(
        Map.of("meshpulse.health.window.slide", "500ms", "parallelism.default", "2"));
    assertThatThrownBy(
            () ->
                HealthJobOptions.requireKnown(
                    Map.of(
                        "meshpulse.health.window.slide", "500ms",
                        "meshpulse.health.window.slid", "500ms")))
        .as("a typo")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown setting meshpulse.health.window.slid:");
  }

  @Test
  void recentSpan_isRoundedUpToWholeSlides_andAtMostTheWindow() {
    assertThat(recentSpanMillis(Duration.ofMillis(500), Duration.ofSeconds(10)))
        .as("3 s of 500 ms slides")
        .isEqualTo(3_000);
    assertThat(recentSpanMillis(Duration.ofSeconds(2), Duration.ofSeconds(20)))
        .as("3 s in 2 s slides")
        .isEqualTo(4_000);
    assertThat(recentSpanMillis(Duration.ofMillis(500), Duration.ofSeconds(2)))
        .as("a 3 s span in a 2 s window")
        .isEqualTo(2_000);
  }

  private static long recentSpanMillis(Duration slide, Duration size) {
    Configuration conf = new Configuration();
    conf.set(HealthJobOptions.WINDOW_SLIDE, slide);
    conf.set(HealthJobOptions.WINDOW_SIZE, size);
    return HealthJobOptions.thresholds(conf).recentSpanMillis();
  }

  @Test
  void define_refusesAMistypedSetting_asTheJobsMainDoes() {
    Configuration conf = Configuration.fromMap(Map.of("meshpulse.health.window.slid", "500ms"));
    assertThatThrownBy(
            () -> HealthJob.define(StreamExecutionEnvironment.getExecutionEnvironment(), conf))
        .as("a typo in the configuration an embedding passes")
        .hasMessageContaining("unknown setting meshpulse.health.window.slid:");
  }

  @Test
  void define_failsFast_namingTheOffendingOption() {
    Configuration conf = new Configuration();
    conf.set(HealthJobOptions.WINDOW_SIZE, Duration.ofMillis(2_750));
    assertThatThrownBy(
            () -> HealthJob.define(StreamExecutionEnvironment.getExecutionEnvironment(), conf))
        .as("window not a multiple of the slide")
        .hasMessageContaining("meshpulse.health.window.size");
    Configuration tooLong = new Configuration();
    tooLong.set(HealthJobOptions.WINDOW_SIZE, Duration.ofSeconds(61));
    assertThatThrownBy(
            () -> HealthJob.define(StreamExecutionEnvironment.getExecutionEnvironment(), tooLong))
        .as("a window of 61 slides")
        .hasMessageContaining("meshpulse.health.window.size must be at most 60");
    Configuration thresholds = new Configuration();
    thresholds.set(HealthJobOptions.UNHEALTHY_BELOW, 0.9);
    assertThatThrownBy(
            () ->
                HealthJob.define(StreamExecutionEnvironment.getExecutionEnvironment(), thresholds))
        .as("unhealthy threshold above the degraded one")
        .hasMessageContaining("meshpulse.health.score.unhealthy-below")
        .hasMessageNotContaining("unhealthyBelow");
  }

  @Test
  void kafkaProperties_reachTheProducer_underTheJobsOwnSettings_andAreCheckedByName() {
    Configuration conf =
        Configuration.fromMap(
            Map.of(
                "meshpulse.health.kafka.properties.security.protocol", "SASL_SSL",
                "meshpulse.health.kafka.properties.linger.ms", "999",
                "meshpulse.health.kafka.linger", "20ms"));
    HealthJobOptions.requireKnown(conf.toMap());
    assertThat(HealthJob.producerConfig(conf))
        .as("producer")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("linger.ms", "20");
    assertThatThrownBy(
            () ->
                HealthJobOptions.requireKnown(
                    Map.of("meshpulse.health.kafka.properties.bootstrap.servers", "k:9092")))
        .as("bootstrap servers as a client property")
        .hasMessageContaining("set meshpulse.health.kafka.bootstrap-servers instead");
    assertThatThrownBy(
            () -> HealthJobOptions.requireKnown(Map.of("meshpulse.health.kafka.properties.", "x")))
        .as("no property name")
        .hasMessageContaining("a Kafka property name must follow the prefix");
  }

  @Test
  void kafkaPropertiesTheClientsSetThemselves_areNamed() {
    Map<String, String> settings =
        Map.of(
            "meshpulse.health.kafka.properties.security.protocol", "SASL_SSL",
            "meshpulse.health.kafka.properties.linger.ms", "999",
            "meshpulse.health.kafka.properties.group.id", "mine",
            "meshpulse.health.kafka.properties.fetch.max.wait.ms", "500",
            "meshpulse.health.kafka.linger", "20ms");

    assertThat(
            HealthJobOptions.replacedKafkaProperties(
                settings, HealthJobOptions.SOURCE_OWN_PROPERTIES))
        .as("replaced in the source")
        .containsExactly(
            "meshpulse.health.kafka.properties.fetch.max.wait.ms",
            "meshpulse.health.kafka.properties.group.id");
    assertThat(HealthJobOptions.replacedKafkaProperties(settings, HealthJob.sinkOwnProperties()))
        .as("replaced in the producers")
        .containsExactly("meshpulse.health.kafka.properties.linger.ms");
  }

  @Test
  void everyPropertyTheProducersWarnAbout_isOneTheyReplace_andNoOtherIs() {
    Set<String> own = HealthJob.sinkOwnProperties();
    Map<String, String> settings = new HashMap<>();
    for (String key : List.of("linger.ms", "batch.size", "acks", "security.protocol")) {
      settings.put("meshpulse.health.kafka.properties." + key, "user-value");
    }
    Properties producer = HealthJob.producerConfig(Configuration.fromMap(settings));

    assertThat(own)
        .as("the producers' own settings")
        .contains("linger.ms", "batch.size", "compression.type", "transaction.timeout.ms");
    for (String key : List.of("linger.ms", "batch.size", "acks", "security.protocol")) {
      assertThat(own.contains(key))
          .as("%s warned about exactly when the user's value is replaced", key)
          .isEqualTo(!"user-value".equals(producer.getProperty(key)));
    }
  }

  @Test
  void producerConfig_takesCompressionAndLinger_andRejectsBadValuesByName() {
    assertThat(HealthJob.producerConfig(new Configuration()))
        .as("defaults")
        .containsEntry("compression.type", "lz4")
        .containsEntry("linger.ms", "5");
    Configuration set =
        Configuration.fromMap(
            Map.of(
                "meshpulse.health.kafka.compression", "none",
                "meshpulse.health.kafka.linger", "20ms"));
    assertThat(HealthJob.producerConfig(set))
        .as("set")
        .containsEntry("compression.type", "none")
        .containsEntry("linger.ms", "20");
    Configuration negative = new Configuration();
    negative.set(HealthJobOptions.LINGER, Duration.ofMillis(-1));
    assertThatThrownBy(() -> HealthJob.producerConfig(negative))
        .as("a negative linger")
        .hasMessageContaining("meshpulse.health.kafka.linger must not be negative");
    Configuration unknown =
        Configuration.fromMap(Map.of("meshpulse.health.kafka.compression", "brotli"));
    assertThatThrownBy(() -> HealthJob.producerConfig(unknown))
        .as("an unknown codec")
        .hasMessageContaining("meshpulse.health.kafka.compression");
  }

  @Test
  void clusterConfiguration_enablesThePrometheusReporterOnTheConfiguredPort() {
    Configuration conf = new Configuration();
    conf.set(HealthJobOptions.PROMETHEUS_PORT, 19555);
    assertThat(HealthJob.clusterConfiguration(conf).toMap())
        .as("cluster settings")
        .containsEntry(
            "metrics.reporter.prom.factory.class",
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
        .containsEntry("metrics.reporter.prom.port", "19555");
  }
}
