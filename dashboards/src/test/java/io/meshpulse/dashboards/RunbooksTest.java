package io.meshpulse.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every alert links a runbook section of its own in docs/runbooks.md, and every section exists. */
class RunbooksTest {
  static final Path RULES = Path.of("prometheus/meshpulse-rules.yml");
  static final Path RUNBOOKS = Path.of("../docs/runbooks.md");
  static final String BASE = "https://github.com/meshpulse/meshpulse/blob/main/docs/runbooks.md#";

  private static final Pattern ALERT = Pattern.compile("(?m)^\\s*- alert: (\\w+)\\s*$");
  private static final Pattern RUNBOOK_URL = Pattern.compile("(?m)^\\s*runbook_url: \"([^\"]*)\"");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{2,3} (.+)$");
  private static final Pattern LOCAL_LINK = Pattern.compile("\\]\\(#([^)]+)\\)");

  @Test
  void everyAlert_linksItsOwnRunbookSection() throws Exception {
    Map<String, String> urls = runbookUrls();
    Set<String> anchors = anchors(Files.readString(RUNBOOKS, StandardCharsets.UTF_8));

    assertThat(urls).as("alerts in %s", RULES).hasSizeGreaterThan(10);
    urls.forEach(
        (alert, url) -> {
          assertThat(url).as("%s's runbook_url", alert).isEqualTo(BASE + anchor(alert));
          assertThat(anchors).as("sections of %s", RUNBOOKS).contains(anchor(alert));
        });
  }

  @Test
  void everyRunbookSection_isOfAnAlert_andEveryLinkInTheRunbooksFindsItsSection() throws Exception {
    String runbooks = Files.readString(RUNBOOKS, StandardCharsets.UTF_8);
    Set<String> alerts = runbookUrls().keySet();
    Matcher heading = HEADING.matcher(runbooks);
    Set<String> sections = new TreeSet<>();
    while (heading.find()) {
      if (heading.group(0).startsWith("## ")) {
        sections.add(heading.group(1).strip());
      }
    }
    assertThat(sections).as("sections of %s", RUNBOOKS).containsExactlyInAnyOrderElementsOf(alerts);

    Set<String> anchors = anchors(runbooks);
    Matcher link = LOCAL_LINK.matcher(runbooks);
    int links = 0;
    while (link.find()) {
      links++;
      assertThat(anchors).as("the section link #%s", link.group(1)).contains(link.group(1));
    }
    assertThat(links).as("links between sections").isGreaterThan(alerts.size());
  }

  /** Each alert of the rules file and the runbook_url of its annotations ("" when it has none). */
  private static Map<String, String> runbookUrls() throws Exception {
    String rules = Files.readString(RULES, StandardCharsets.UTF_8);
    Map<String, String> urls = new LinkedHashMap<>();
    Matcher alert = ALERT.matcher(rules);
    int start = -1;
    String name = null;
    while (alert.find()) {
      if (name != null) {
        urls.put(name, url(rules.substring(start, alert.start())));
      }
      name = alert.group(1);
      start = alert.end();
    }
    if (name != null) {
      urls.put(name, url(rules.substring(start)));
    }
    return urls;
  }

  private static String url(String block) {
    Matcher m = RUNBOOK_URL.matcher(block);
    return m.find() ? m.group(1) : "";
  }

  /** GitHub's anchors of a Markdown file's headings: lower case, spaces to '-', punctuation out. */
  private static Set<String> anchors(String markdown) {
    Set<String> anchors = new TreeSet<>();
    Matcher heading = HEADING.matcher(markdown);
    while (heading.find()) {
      anchors.add(anchor(heading.group(1)));
    }
    return anchors;
  }

  private static String anchor(String heading) {
    return heading
        .strip()
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9 _-]", "")
        .replace(' ', '-');
  }
}
