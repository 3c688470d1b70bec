package io.meshpulse.xds.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology YAML file, re-read when its content changes (polled). The file must be valid at
 * start; later, an invalid version is logged and counted and the last good topology stays in force.
 */
public final class FileTopologySource implements TopologySource {
  private static final Logger logger = LoggerFactory.getLogger(FileTopologySource.class);

  private final Path file;
  private final List<Consumer<Topology>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService poller;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private Topology current;
  // @GuardedBy("lock")
  private @Nullable String lastError;
  // @GuardedBy("lock")
  private long rejected;
  // @GuardedBy("lock")
  private String stamp;

  /**
   * @throws TopologyException when the file is missing or invalid at start
   */
  public FileTopologySource(Path file, Duration pollInterval) throws TopologyException {
    this.file = file;
    this.stamp = stamp();
    this.current = read();
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshpulse-topology-poller");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(
        this::poll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    logger.info("topology loaded file={} services={}", file, current.services().size());
  }

  @Override
  public Topology current() {
    synchronized (lock) {
      return current;
    }
  }

  @Override
  public void onChange(Consumer<Topology> listener) {
    listeners.add(listener);
  }

  @Override
  public Optional<String> lastError() {
    synchronized (lock) {
      return Optional.ofNullable(lastError);
    }
  }

  @Override
  public long rejectedUpdates() {
    synchronized (lock) {
      return rejected;
    }
  }

  /** Checks the file once; the poller calls this every interval. */
  void poll() {
    String now = stamp();
    Topology next;
    synchronized (lock) {
      if (now.equals(stamp)) {
        return;
      }
      stamp = now;
      try {
        next = read();
        current = next;
        lastError = null;
      } catch (TopologyException e) {
        rejected++;
        lastError = e.getMessage();
        logger.warn(
            "topology update rejected, keeping the last good one file={} problems={}",
            file,
            e.problems());
        return;
      }
    }
    logger.info("topology reloaded file={} services={}", file, next.services().size());
    for (Consumer<Topology> l : listeners) {
      try {
        l.accept(next);
      } catch (RuntimeException e) {
        logger.warn("topology listener failed", e);
      }
    }
  }

  private String stamp() {
    // The whole content: topology files are small, and a rewrite within one mtime tick still
    // counts.
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "missing";
    }
  }

  private Topology read() throws TopologyException {
    try {
      return TopologyParser.parse(file.toString(), Files.readString(file));
    } catch (IOException e) {
      throw new TopologyException(file.toString(), List.of("cannot read: " + e));
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
