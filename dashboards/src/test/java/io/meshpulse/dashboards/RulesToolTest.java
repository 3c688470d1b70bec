package io.meshpulse.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.testing.RequiresTool;
import io.meshpulse.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules, their unit tests and the configs pass Prometheus's and Alertmanager's own checkers.
 */
@RequiresTool({"promtool", "amtool"})
class RulesToolTest {
  static final Path PROMETHEUS = Path.of("prometheus").toAbsolutePath();
  static final Path ALERTMANAGER = Path.of("alertmanager").toAbsolutePath();
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void rules_passPromtoolCheckRules() {
    Tools.Result result =
        Tools.run(
            TIMEOUT, PROMETHEUS, List.of("promtool", "check", "rules", "meshpulse-rules.yml"));
    assertThat(result.exitCode()).as("promtool check rules:%n%s", result.output()).isZero();
  }

  @Test
  void ruleUnitTests_pass() {
    Tools.Result result =
        Tools.run(
            TIMEOUT,
            PROMETHEUS,
            List.of("promtool", "test", "rules", "tests/meshpulse-rules-test.yml"));
    assertThat(result.exitCode()).as("promtool test rules:%n%s", result.output()).isZero();
    assertThat(result.output()).as("promtool test output").contains("SUCCESS");
  }

  @Test
  void exampleScrapeConfig_passesPromtoolCheckConfig() {
    Tools.Result result =
        Tools.run(TIMEOUT, PROMETHEUS, List.of("promtool", "check", "config", "prometheus.yml"));
    assertThat(result.exitCode()).as("promtool check config:%n%s", result.output()).isZero();
  }

  @Test
  void alertmanagerConfig_passesAmtool() {
    Tools.Result result =
        Tools.run(TIMEOUT, ALERTMANAGER, List.of("amtool", "check-config", "alertmanager.yml"));
    assertThat(result.exitCode()).as("amtool check-config:%n%s", result.output()).isZero();
  }

  @Test
  void shiftAlerts_reachXdsControlAndPeople_otherAlertsPeopleOnly() {
    assertThat(receivers("alertname=MeshCanaryErrorRateHigh", "meshpulse_action=shift"))
        .as("receivers of a shift alert")
        .isEqualTo("meshpulse-xds-control,default");
    assertThat(receivers("alertname=MeshHealthDataStale", "severity=page"))
        .as("receivers of any other alert")
        .isEqualTo("default");
  }

  private static String receivers(String... labels) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of("amtool", "config", "routes", "test", "--config.file=alertmanager.yml"));
    command.addAll(List.of(labels));
    Tools.Result result = Tools.run(TIMEOUT, ALERTMANAGER, command);
    assertThat(result.exitCode()).as("amtool config routes test:%n%s", result.output()).isZero();
    // amtool prints the receivers on a line of their own, and may warn on others.
    List<String> lines =
        result.output().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    assertThat(lines.stream().filter(l -> !l.startsWith("Warning")))
        .as("amtool output:%n%s", result.output())
        .hasSize(1);
    return lines.stream().filter(l -> !l.startsWith("Warning")).findFirst().orElseThrow();
  }

  @Test
  void aWrongExpectation_makesPromtoolFail(@TempDir Path dir) throws Exception {
    Files.copy(PROMETHEUS.resolve("meshpulse-rules.yml"), dir.resolve("meshpulse-rules.yml"));
    Files.writeString(
        dir.resolve("wrong-test.yml"),
        """
        rule_files: [meshpulse-rules.yml]
        tests:
          - interval: 15s
            input_series:
              - series: 'meshpulse_xds_nacks_total{type="t"}'
                values: '0x20'
            alert_rule_test:
              - eval_time: 2m
                alertname: MeshXdsConfigRejected
                exp_alerts:
                  - exp_labels: {severity: warning, type: t}
        """);
    Tools.Result result =
        Tools.run(TIMEOUT, dir, List.of("promtool", "test", "rules", "wrong-test.yml"));
    assertThat(result.exitCode())
        .as("promtool on a wrong expectation:%n%s", result.output())
        .isNotZero();
  }
}
