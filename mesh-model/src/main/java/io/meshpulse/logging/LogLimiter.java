package io.meshpulse.logging;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Lets a log line through once per key (for example a topic and an exception class) and interval,
 * counting the lines it held back, so that a failure of every record logs once per interval rather
 * than once per record. Thread-safe: callers on several threads may share one.
 */
public final class LogLimiter {
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final ConcurrentMap<Object, Window> windows = new ConcurrentHashMap<>();

  public LogLimiter(Duration interval, LongSupplier nanoTime) {
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * Whether a line of {@code key} may be logged now: -1 when it is held back, else how many lines
   * of {@code key} were held back since the last one logged.
   */
  public long admit(Object key) {
    Window window = windows.computeIfAbsent(key, k -> new Window());
    long now = nanoTime.getAsLong();
    synchronized (window) {
      if (window.opened && now - window.next < 0) {
        window.suppressed++;
        return -1;
      }
      window.opened = true;
      window.next = now + intervalNanos;
      long suppressed = window.suppressed;
      window.suppressed = 0;
      return suppressed;
    }
  }

  private static final class Window {
    // Guarded by the window itself.
    private boolean opened;
    private long next;
    private long suppressed;
  }
}
