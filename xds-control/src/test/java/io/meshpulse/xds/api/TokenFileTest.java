package io.meshpulse.xds.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class TokenFileTest {
  @TempDir Path dir;
  Path file;
  Instant now = Instant.parse("2026-01-01T00:00:00Z");
  final InstantSource clock = () -> now;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ListAppender<ILoggingEvent> log = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger(TokenFile.class);

  @BeforeEach
  void setUp() {
    file = dir.resolve("token");
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(log);
  }

  void write(String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  TokenFile open() {
    return new TokenFile(file, clock, registry);
  }

  void pass(Duration d) {
    now = now.plus(d);
  }

  double rejected() {
    return registry.get(TokenFile.REJECTED).gauge().value();
  }

  double failures() {
    return registry.get(TokenFile.RELOAD_FAILURES).counter().count();
  }

  List<String> messages(Level level) {
    return log.list.stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void everyLine_isAToken_withoutBlankLinesOrSurroundingWhitespace() throws IOException {
    write("\n  token-a  \r\n\n\ttoken-b\n   \ntoken-c");
    TokenFile tokens = open();
    assertThat(tokens.tokens()).as("tokens").containsExactly("token-a", "token-b", "token-c");
    assertThat(BearerAuth.authorized("Bearer token-b", tokens.tokens())).as("any one").isTrue();
    assertThat(BearerAuth.authorized("Bearer token-a", tokens.tokens())).as("another").isTrue();
    assertThat(BearerAuth.authorized("Bearer token", tokens.tokens())).as("a prefix").isFalse();
    assertThat(BearerAuth.authorized("Bearer token-a token-b", tokens.tokens()))
        .as("two at once")
        .isFalse();
    assertThat(BearerAuth.authorized(null, tokens.tokens())).as("no header").isFalse();
    assertThat(failures()).as("failures counter, registered at 0").isZero();
    assertThat(rejected()).as("rejected gauge, registered at 0").isZero();
  }

  @Test
  void aChange_isSeenOnTheFirstRequestASecondAfterTheLastRead_notBefore() throws IOException {
    write("token-a\n");
    TokenFile tokens = open();
    write("token-a\ntoken-b\n");
    pass(Duration.ofMillis(999));
    assertThat(tokens.tokens()).as("within a second of the read").containsExactly("token-a");
    pass(Duration.ofMillis(1));
    assertThat(tokens.tokens()).as("a second on").containsExactly("token-a", "token-b");
    write("token-b\n");
    assertThat(tokens.tokens()).as("at once after a read").containsExactly("token-a", "token-b");
    pass(Duration.ofSeconds(1));
    assertThat(tokens.tokens()).as("old token removed").containsExactly("token-b");
    assertThat(BearerAuth.authorized("Bearer token-a", tokens.tokens()))
        .as("removed token")
        .isFalse();
    assertThat(BearerAuth.authorized("Bearer token-b", tokens.tokens())).as("new token").isTrue();
    assertThat(messages(Level.INFO))
        .as("INFO on each change")
        .filteredOn(m -> m.contains("changed"))
        .hasSize(2);
    assertThat(failures()).as("failures").isZero();
  }

  @Test
  void aChangeOfTheSameSizeAndTime_isSeenToo() throws IOException {
    write("token-a\n");
    TokenFile tokens = open();
    var modified = Files.getLastModifiedTime(file);
    write("token-b\n");
    Files.setLastModifiedTime(file, modified);
    pass(Duration.ofSeconds(1));
    assertThat(tokens.tokens()).as("tokens").containsExactly("token-b");
  }

  @Test
  void aSymlinkSwappedLikeAKubernetesSecretVolume_isFollowed() throws IOException {
    Path v1 = Files.createDirectories(dir.resolve("..2026_01_01_v1"));
    Path v2 = Files.createDirectories(dir.resolve("..2026_01_01_v2"));
    Files.writeString(v1.resolve("token"), "token-a\n");
    Files.writeString(v2.resolve("token"), "token-b\n");
    Path data = dir.resolve("..data");
    Files.createSymbolicLink(data, v1.getFileName());
    file = dir.resolve("token");
    Files.createSymbolicLink(file, Path.of("..data", "token"));
    TokenFile tokens = open();
    assertThat(tokens.tokens()).as("before").containsExactly("token-a");
    Path tmp = dir.resolve("..data_tmp");
    Files.createSymbolicLink(tmp, v2.getFileName());
    Files.move(tmp, data, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    pass(Duration.ofSeconds(1));
    assertThat(tokens.tokens()).as("after the swap").containsExactly("token-b");
  }

  @Test
  void aBlankFile_keepsTheLastTokens_warnsAndCountsOncePerBadState() throws IOException {
    write("token-a\n");
    TokenFile tokens = open();
    write("\n  \n");
    for (int i = 0; i < 5; i++) {
      pass(Duration.ofSeconds(1));
      assertThat(tokens.tokens()).as("kept, read " + i).containsExactly("token-a");
    }
    assertThat(failures()).as("failures after 5 reads of one blank file").isEqualTo(1);
    assertThat(rejected()).as("rejected while blank").isEqualTo(1);
    assertThat(messages(Level.WARN))
        .as("warnings")
        .singleElement()
        .asString()
        .contains(TokenFile.PROPERTY, "holds no token")
        .doesNotContain("token-a");

    Files.delete(file);
    pass(Duration.ofSeconds(1));
    pass(Duration.ofSeconds(1));
    assertThat(tokens.tokens()).as("kept while missing").containsExactly("token-a");
    assertThat(failures()).as("a new bad state counts once").isEqualTo(2);
    Files.createDirectory(file);
    pass(Duration.ofSeconds(1));
    assertThat(tokens.tokens()).as("kept while unreadable").containsExactly("token-a");
    tokens.tokens();
    pass(Duration.ofSeconds(1));
    tokens.tokens();
    assertThat(failures()).as("unreadable counts once").isEqualTo(3);
    assertThat(messages(Level.WARN)).as("warnings").hasSize(3);

    Files.delete(file);
    write("token-b\n");
    pass(Duration.ofSeconds(1));
    assertThat(tokens.tokens()).as("good again").containsExactly("token-b");
    assertThat(rejected()).as("rejected once good again").isZero();
    write("");
    pass(Duration.ofSeconds(1));
    assertThat(tokens.tokens()).as("kept").containsExactly("token-b");
    assertThat(failures()).as("blank after good again counts anew").isEqualTo(4);
    assertThat(log.list)
        .as("no token in any log line")
        .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("token-a", "token-b"));
  }

  @Test
  void theSameTokensAgain_afterABadState_endIt() throws IOException {
    write("token-a\n");
    TokenFile tokens = open();
    write("");
    pass(Duration.ofSeconds(1));
    tokens.tokens();
    write("token-a\n");
    pass(Duration.ofSeconds(1));
    assertThat(tokens.tokens()).as("tokens").containsExactly("token-a");
    write("");
    pass(Duration.ofSeconds(1));
    tokens.tokens();
    assertThat(failures()).as("a second bad state after a good one").isEqualTo(2);
  }

  @Test
  void aMissingFile_failsTheStart_namingThePropertyAndTheReason() {
    assertThatThrownBy(this::open)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(TokenFile.PROPERTY)
        .hasMessageContaining("meshpulse.xds.alerts.token-file")
        .hasMessageContaining(file.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void aFileWithoutAToken_failsTheStart_namingThePropertyAndTheReason() throws IOException {
    write(" \n\n\t\n");
    assertThatThrownBy(this::open)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("meshpulse.xds.alerts.token-file")
        .hasMessageContaining("holds no token");
  }

  @Test
  void aDirectory_orAHugeFile_failsTheStart() throws IOException {
    Files.createDirectory(file);
    assertThatThrownBy(this::open)
        .as("directory")
        .hasMessageContaining("meshpulse.xds.alerts.token-file")
        .hasMessageContaining("cannot be read");
    Files.delete(file);
    write("t".repeat(TokenFile.MAX_BYTES + 1));
    assertThatThrownBy(this::open)
        .as("huge")
        .hasMessageContaining("meshpulse.xds.alerts.token-file")
        .hasMessageContaining("larger than");
  }
}
