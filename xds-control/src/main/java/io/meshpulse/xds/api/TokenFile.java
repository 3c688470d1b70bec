package io.meshpulse.xds.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer tokens of {@code meshpulse.xds.alerts.token-file}: one a line, blank lines and the
 * whitespace around a token ignored, any of them accepted. Several tokens at once are what make a
 * rotation possible without refusing a request: add the new token, move the clients to it, remove
 * the old one.
 *
 * <p>The file is read again when a request asks for the tokens and the last read is at least {@link
 * #CHECK_INTERVAL} old, so a change (a Kubernetes secret volume swaps its {@code ..data} symlink;
 * the file is read through it) takes effect within about a second, without a restart and without a
 * thread of its own. The content is compared, not the modification time, so a rewrite within the
 * file system's time resolution is not missed.
 *
 * <p>The file must exist and hold a token at start. A later version that cannot be read or holds no
 * token changes nothing: the tokens read last stay accepted (refusing every client because a secret
 * was half-written would be worse), and each such bad state is logged once at WARN and counted once
 * in {@code meshpulse.xds.alerts.token.reload.failures}. Tokens are never logged.
 */
public final class TokenFile {
  /** The property that names the file; every start-up error names it. */
  public static final String PROPERTY = "meshpulse.xds.alerts.token-file";

  /** The least time between two reads of the file. */
  public static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

  /** Counts the versions of the file that could not be used (once per bad state). */
  public static final String RELOAD_FAILURES = "meshpulse.xds.alerts.token.reload.failures";

  /** 1 while the file, as last read, cannot be used: what an alert holds on to. */
  public static final String REJECTED = "meshpulse.xds.alerts.token.file.rejected";

  /** A larger file is not a token file (a mistaken path), and is not read into memory. */
  static final int MAX_BYTES = 64 * 1024;

  private static final Logger logger = LoggerFactory.getLogger(TokenFile.class);

  private final Path file;
  private final InstantSource clock;
  private final Counter failures;
  private volatile List<String> tokens;
  private volatile Instant nextCheck;
  // Guarded by this.
  private byte[] content;
  private volatile @Nullable String badState;

  /**
   * Reads the file once.
   *
   * @throws IllegalStateException naming {@link #PROPERTY} when the file cannot be read or holds no
   *     token
   */
  public TokenFile(Path file, InstantSource clock, MeterRegistry registry) {
    this.file = file;
    this.clock = clock;
    byte[] read;
    try {
      read = read(file);
    } catch (IOException e) {
      throw new IllegalStateException(PROPERTY + ": " + file + " " + describe(e), e);
    }
    List<String> parsed = parse(read);
    if (parsed.isEmpty()) {
      throw new IllegalStateException(
          PROPERTY + ": " + file + " holds no token (one a line, blank lines ignored)");
    }
    this.content = read;
    this.tokens = parsed;
    this.nextCheck = clock.instant().plus(CHECK_INTERVAL);
    this.failures =
        Counter.builder(RELOAD_FAILURES)
            .description(
                "Versions of the webhook's token file that could not be read or held no token;"
                    + " the tokens read before stay accepted")
            .register(registry);
    Gauge.builder(REJECTED, this, tokenFile -> tokenFile.badState == null ? 0 : 1)
        .description(
            "1 while the webhook's token file, as last read, cannot be read or holds no token")
        .register(registry);
    logger.info("{}: {} holds {} token(s)", PROPERTY, file, parsed.size());
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /**
   * The tokens accepted now, never empty: those of the file's last good version, read again first
   * if the last read is {@link #CHECK_INTERVAL} old.
   */
  public List<String> tokens() {
    Instant now = clock.instant();
    if (now.isBefore(nextCheck)) {
      return tokens;
    }
    synchronized (this) {
      if (!now.isBefore(nextCheck)) {
        nextCheck = now.plus(CHECK_INTERVAL);
        reload();
      }
    }
    return tokens;
  }

  private void reload() {
    byte[] read;
    try {
      read = read(file);
    } catch (IOException e) {
      failed(describe(e));
      return;
    }
    if (Arrays.equals(read, content)) {
      recovered();
      return;
    }
    List<String> parsed = parse(read);
    if (parsed.isEmpty()) {
      failed("holds no token");
      return;
    }
    int before = tokens.size();
    content = read;
    tokens = parsed;
    badState = null;
    logger.info(
        "{}: {} changed, now {} token(s) accepted (before: {})",
        PROPERTY,
        file,
        parsed.size(),
        before);
  }

  private void recovered() {
    if (badState != null) {
      badState = null;
      logger.info("{}: {} holds the same {} token(s) again", PROPERTY, file, tokens.size());
    }
  }

  private void failed(String reason) {
    if (reason.equals(badState)) {
      return;
    }
    badState = reason;
    failures.increment();
    logger.warn(
        "{}: {} {}; the {} token(s) read before stay accepted until it holds a token again",
        PROPERTY,
        file,
        reason,
        tokens.size());
  }

  private static byte[] read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] read = in.readNBytes(MAX_BYTES + 1);
      if (read.length > MAX_BYTES) {
        throw new TooLarge();
      }
      return read;
    }
  }

  /** The tokens in {@code content}: its lines, stripped, without the blank ones. */
  static List<String> parse(byte[] content) {
    List<String> result = new ArrayList<>();
    for (String line : new String(content, StandardCharsets.UTF_8).split("\\R")) {
      String token = line.strip();
      if (!token.isEmpty()) {
        result.add(token);
      }
    }
    return List.copyOf(result);
  }

  private static String describe(IOException e) {
    if (e instanceof TooLarge) {
      return "is larger than " + MAX_BYTES / 1024 + " KiB: not a token file";
    }
    if (e instanceof NoSuchFileException) {
      return "does not exist";
    }
    if (e instanceof AccessDeniedException) {
      return "cannot be read: permission denied";
    }
    return "cannot be read: " + e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** A file too large to be a token file. */
  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
  }
}
