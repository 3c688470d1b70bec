package io.meshpulse.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.xds.policy.PolicyConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class XdsControlPropertiesTest {

  private static XdsControlProperties bind(Map<String, String> extra) {
    Map<String, String> map = new HashMap<>(extra);
    map.put("meshpulse.xds.topology-file", "topology.yml");
    return new Binder(new MapConfigurationPropertySource(map))
        .bind("meshpulse.xds", XdsControlProperties.class)
        .get();
  }

  /**
   * The chart hands Kafka client properties over in SPRING_APPLICATION_JSON with every "${" written
   * as "\${": a reference to Kafka's file config provider must reach the client as written, not be
   * taken for a Spring placeholder.
   */
  @Test
  void aConfigProviderReference_inTheChartsJson_reachesTheKafkaClientAsWritten() {
    String reference =
        "${file:/etc/meshpulse/kafka-client/credentials.properties:sasl.jaas.config}";
    String escaped = reference.replace("${", "\\\\${");

    assertThat(kafkaPropertyFromJson(escaped))
        .as("escaped, as the chart writes it")
        .isEqualTo(reference);
    assertThat(kafkaPropertyFromJson(reference))
        .as("unescaped: Spring resolves it as its own placeholder")
        .isNotEqualTo(reference);
  }

  private static String kafkaPropertyFromJson(String jsonValue) {
    String json =
        "{\"meshpulse\":{\"xds\":{\"topology-file\":\"t.yml\",\"kafka\":{\"properties\":"
            + "{\"sasl.jaas.config\":\""
            + jsonValue
            + "\"}}}}}";
    StandardEnvironment environment = new StandardEnvironment();
    environment
        .getPropertySources()
        .addFirst(
            new org.springframework.core.env.MapPropertySource(
                "test", Map.of("spring.application.json", json)));
    new org.springframework.boot.support.SpringApplicationJsonEnvironmentPostProcessor()
        .postProcessEnvironment(environment, new org.springframework.boot.SpringApplication());
    return Binder.get(environment)
        .bind("meshpulse.xds", XdsControlProperties.class)
        .get()
        .kafka()
        .properties()
        .get("sasl.jaas.config");
  }

  @Test
  void policyDefaults_bindToTheDocumentedPolicyConfig() {
    XdsControlProperties props = bind(Map.of());
    assertThat(props.policy().toConfig()).as("bound defaults").isEqualTo(PolicyConfig.DEFAULTS);
    assertThat(props.ads().port()).as("ADS port").isEqualTo(18000);
    assertThat(props.kafka().bootstrapServers()).as("bootstrap").isEqualTo("127.0.0.1:19092");
  }

  @Test
  void policyProperties_bindFromKebabCaseWithDurations() {
    XdsControlProperties props =
        bind(
            Map.of("meshpulse.xds.policy.min-dwell", "2s", "meshpulse.xds.policy.dry-run", "true"));
    assertThat(props.policy().toConfig().minDwell())
        .as("min dwell")
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(props.policy().toConfig().dryRun()).as("dry run").isTrue();
  }

  @Test
  void anInvalidPolicyValue_failsNamingTheProperty() {
    XdsControlProperties props = bind(Map.of("meshpulse.xds.policy.max-ejection-percent", "150"));
    assertThatThrownBy(() -> props.policy().toConfig())
        .as("invalid max ejection")
        .hasMessageContaining("meshpulse.xds.policy.max-ejection-percent");
  }

  @Test
  void theLoopsMinInterval_bindsFromTheEnvironmentVariableTheChartDocumentationShows() {
    Map<String, Object> env =
        Map.of(
            "MESHPULSE_XDS_TOPOLOGYFILE", "topology.yml",
            "MESHPULSE_XDS_LOOP_MININTERVAL", "200ms");
    XdsControlProperties props =
        new Binder(
                ConfigurationPropertySources.from(
                    new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env)))
            .bind("meshpulse.xds", XdsControlProperties.class)
            .get();
    assertThat(props.loop().minInterval()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void theLoopsMinInterval_defaultsTo50ms_andFailsNamingItselfWhenAboveTheTick() {
    assertThat(bind(Map.of()).loop().minInterval())
        .as("default min interval")
        .isEqualTo(Duration.ofMillis(50));
    assertThatThrownBy(() -> bind(Map.of("meshpulse.xds.loop.min-interval", "1s")))
        .as("min interval above the 500 ms tick")
        .rootCause()
        .hasMessageContaining("meshpulse.xds.loop.min-interval");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "meshpulse.xds.topology-poll-interval, 0ms",
    "meshpulse.xds.topology-poll-interval, -1s",
    "meshpulse.xds.kafka.commit-interval, -1ms",
    "meshpulse.xds.kafka.commit-interval, 50d",
    "meshpulse.xds.api.max-request-size, 100B",
    "meshpulse.xds.api.max-request-size, 3GB",
    "meshpulse.xds.ads.tls.reload-interval, 10ms"
  })
  void aBadIntervalOrSize_failsNamingTheProperty(String property, String value) {
    assertThatThrownBy(() -> bind(Map.of(property, value)))
        .as("%s=%s", property, value)
        .rootCause()
        .hasMessageContaining(property);
  }

  @Test
  void adsTls_isOffByDefault_andNeedsACertificateAndKeyWhenOn() {
    XdsControlProperties.AdsTls tls = bind(Map.of()).ads().tls();
    assertThat(tls.enabled()).as("enabled").isFalse();
    assertThat(tls.files()).as("files").isNull();
    assertThat(tls.reloadInterval()).as("reload interval").isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(() -> bind(Map.of("meshpulse.xds.ads.tls.enabled", "true")))
        .rootCause()
        .hasMessageContaining("meshpulse.xds.ads.tls.cert-chain is required");
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "meshpulse.xds.ads.tls.enabled", "true",
                        "meshpulse.xds.ads.tls.cert-chain", "/etc/tls/tls.crt")))
        .rootCause()
        .hasMessageContaining("meshpulse.xds.ads.tls.private-key is required");
  }

  @Test
  void theApisRequestSizeLimit_defaultsTo4MB() {
    assertThat(bind(Map.of()).api().maxRequestSize())
        .isEqualTo(org.springframework.util.unit.DataSize.ofMegabytes(4));
  }

  @Test
  void alertReconciliation_isOffByDefault_withItsDocumentedDefaults() {
    XdsControlProperties.Alerts alerts = bind(Map.of()).alerts();
    assertThat(alerts.reconciles()).as("reconciles").isFalse();
    assertThat(alerts.reconcileInterval()).as("interval").isEqualTo(Duration.ofMinutes(1));
    assertThat(alerts.cycleMemory()).as("cycle memory").isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void theWebhook_isEnabledByAToken_orATokenFile_fromTheEnvironmentToo() {
    assertThat(bind(Map.of()).alerts().enabled()).as("neither").isFalse();
    assertThat(bind(Map.of("meshpulse.xds.alerts.token", "t")).alerts().enabled())
        .as("token")
        .isTrue();
    assertThat(bind(Map.of("meshpulse.xds.alerts.token", "t")).alerts().fixedTokens())
        .as("the token in force")
        .containsExactly("t");
    assertThat(bind(Map.of("meshpulse.xds.alerts.token", "s3cret\n")).alerts().fixedTokens())
        .as("a token set from a file with its newline, as a request sends it")
        .containsExactly("s3cret");
    Map<String, Object> env =
        Map.of(
            "MESHPULSE_XDS_TOPOLOGYFILE", "topology.yml",
            "MESHPULSE_XDS_ALERTS_TOKENFILE", "/etc/meshpulse/alerts/token");
    XdsControlProperties.Alerts alerts =
        new Binder(
                ConfigurationPropertySources.from(
                    new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env)))
            .bind("meshpulse.xds", XdsControlProperties.class)
            .get()
            .alerts();
    assertThat(alerts.tokenFile())
        .as("token file, the chart's variable")
        .isEqualTo(java.nio.file.Path.of("/etc/meshpulse/alerts/token"));
    assertThat(alerts.enabled()).as("token file").isTrue();
  }

  @Test
  void aBlankToken_failsTheStart_ratherThanOpenTheWriteApi() {
    for (String blank : new String[] {"", " ", "\n"}) {
      assertThatThrownBy(() -> bind(Map.of("meshpulse.xds.alerts.token", blank)))
          .as("token '%s'", blank)
          .rootCause()
          .hasMessageStartingWith("meshpulse.xds.alerts.token is set but blank");
    }
  }

  @Test
  void aTokenAndATokenFile_failTheStart_namingBoth() {
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "meshpulse.xds.alerts.token", "t",
                        "meshpulse.xds.alerts.token-file", "/etc/meshpulse/alerts/token")))
        .as("both set")
        .rootCause()
        .hasMessageContaining("meshpulse.xds.alerts.token ")
        .hasMessageContaining("meshpulse.xds.alerts.token-file");
  }

  @Test
  void alertmanagerUrl_bindsTheMembersOfACluster_commaSeparated_fromTheEnvironmentToo() {
    Map<String, Object> env =
        Map.of(
            "MESHPULSE_XDS_TOPOLOGYFILE", "topology.yml",
            "MESHPULSE_XDS_ALERTS_ALERTMANAGERURL", "http://am-0:9093,http://am-1:9093/prefix",
            "MESHPULSE_XDS_ALERTS_RECONCILEINTERVAL", "30s");
    XdsControlProperties props =
        new Binder(
                ConfigurationPropertySources.from(
                    new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env)))
            .bind("meshpulse.xds", XdsControlProperties.class)
            .get();
    assertThat(props.alerts().alertmanagerUrl())
        .as("members")
        .containsExactly(
            java.net.URI.create("http://am-0:9093"),
            java.net.URI.create("http://am-1:9093/prefix"));
    assertThat(props.alerts().reconcileInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(bind(Map.of("meshpulse.xds.alerts.alertmanager-url", "")).alerts().reconciles())
        .as("empty: no reconciliation")
        .isFalse();
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "meshpulse.xds.alerts.alertmanager-url, am-0:9093",
    "meshpulse.xds.alerts.alertmanager-url, ftp://am-0",
    "meshpulse.xds.alerts.alertmanager-url, http://am-0:9093/api/v2/alerts?active=true",
    "meshpulse.xds.alerts.reconcile-interval, 500ms",
    "meshpulse.xds.alerts.cycle-memory, -1m"
  })
  void aBadReconciliationSetting_failsNamingTheProperty(String property, String value) {
    assertThatThrownBy(() -> bind(Map.of(property, value)))
        .as("%s=%s", property, value)
        .rootCause()
        .hasMessageContaining(property);
  }

  @Test
  void leaderElection_isOffByDefault_andItsGroupFollowsTheApplicationId() {
    XdsControlProperties props =
        bind(
            Map.of(
                "meshpulse.xds.kafka.application-id", "mesh-a",
                "meshpulse.xds.leader-election.holder", "xds-0"));

    assertThat(props.leaderElection().enabled()).isFalse();
    var settings = props.leaderElection().toSettings(props.kafka().applicationId());
    assertThat(settings.group()).isEqualTo("mesh-a-leader");
    assertThat(settings.holder()).isEqualTo("xds-0");
    assertThat(settings.topic()).isEqualTo("mesh.xds-control-lease.v1");
    assertThat(settings.duration()).isEqualTo(Duration.ofSeconds(10));
  }

  @ParameterizedTest
  @CsvSource({"lease-duration,5s", "lease-duration,6m", "holder,' '"})
  void aBadLeaderElectionSetting_failsTheStart_namingTheProperty(String name, String value) {
    assertThatThrownBy(() -> bind(Map.of("meshpulse.xds.leader-election." + name, value)))
        .rootCause()
        .hasMessageContaining("meshpulse.xds.leader-election." + name);
  }
}
