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
