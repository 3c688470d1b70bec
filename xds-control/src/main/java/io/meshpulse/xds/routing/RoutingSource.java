package io.meshpulse.xds.routing;

import io.meshpulse.xds.topology.Topology;
import io.meshpulse.xds.topology.TopologySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing files, re-read when their content changes (polled) and re-validated when the topology
 * changes. They must be valid at start; later, a version with problems is logged with every problem
 * and counted, and the last good configuration stays in force.
 */
public final class RoutingSource implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(RoutingSource.class);

  private final List<Path> files;
  private final TopologySource topology;
  private final List<Consumer<RoutingConfig>> listeners = new CopyOnWriteArrayList<>();
  private final @Nullable ScheduledExecutorService poller;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private RoutingConfig current;
  // @GuardedBy("lock")
  private List<RoutingProblem> lastProblems = List.of();
  // @GuardedBy("lock")
  private long rejected;
  // @GuardedBy("lock")
  private String stamp;
  // @GuardedBy("lock")
  private Topology validatedAgainst;

  /** A source without files: no gateways, no virtual services. */
  public static RoutingSource none(TopologySource topology) {
    return new RoutingSource(topology);
  }

  private RoutingSource(TopologySource topology) {
    this.files = List.of();
    this.topology = topology;
    this.current = RoutingConfig.EMPTY;
    this.stamp = "";
    this.validatedAgainst = topology.current();
    this.poller = null;
  }

  /**
   * @throws RoutingException when a file is missing or has problems at start
   */
  public RoutingSource(List<Path> files, TopologySource topology, Duration pollInterval)
      throws RoutingException {
    this.files = List.copyOf(files);
    this.topology = topology;
    this.stamp = stamp();
    this.validatedAgainst = topology.current();
    this.current = RoutingFiles.load(this.files, validatedAgainst);
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshpulse-routing-poller");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(
        this::poll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    // On the poller's thread too: two threads polling at once could each read the files and the
    // topology, and the later to lock could check new files against the topology before.
    topology.onChange(t -> pollSoon());
    logger.info(
        "routing loaded files={} gateways={} virtualServices={}",
        files,
        current.gateways().size(),
        current.virtualServices().size());
  }

  public RoutingConfig current() {
    synchronized (lock) {
      return current;
    }
  }

  /** Called with every new valid configuration, on the source's own thread. */
  public void onChange(Consumer<RoutingConfig> listener) {
    listeners.add(listener);
  }

  /** The problems of the last refused update, while the previous configuration stays in force. */
  public List<RoutingProblem> lastProblems() {
    synchronized (lock) {
      return lastProblems;
    }
  }

  public Optional<String> lastError() {
    synchronized (lock) {
      return lastProblems.isEmpty()
          ? Optional.empty()
          : Optional.of(new RoutingException(lastProblems).getMessage());
    }
  }

  /** How many updates were refused since start. */
  public long rejectedUpdates() {
    synchronized (lock) {
      return rejected;
    }
  }

  private void pollSoon() {
    ScheduledExecutorService thread = poller;
    if (thread == null) {
      return;
    }
    try {
      thread.execute(this::poll);
    } catch (RejectedExecutionException e) {
      // closed: nothing more to check
    }
  }

  /**
   * Checks the files (and the topology) once; the poller's thread calls this every interval and
   * when the topology changes.
   */
  void poll() {
    if (files.isEmpty()) {
      return;
    }
    String now = stamp();
    Topology t = topology.current();
    RoutingConfig next;
    synchronized (lock) {
      if (now.equals(stamp) && t == validatedAgainst) {
        return;
      }
      stamp = now;
      validatedAgainst = t;
      RoutingFiles.Loaded loaded = RoutingFiles.read(files, t);
      if (!loaded.ok()) {
        rejected++;
        lastProblems = loaded.problems();
        logger.warn(
            "routing update rejected, keeping the last good configuration: {}",
            new RoutingException(loaded.problems()).getMessage());
        return;
      }
      next = loaded.config();
      current = next;
      lastProblems = List.of();
    }
    logger.info(
        "routing reloaded gateways={} virtualServices={}",
        next.gateways().size(),
        next.virtualServices().size());
    for (Consumer<RoutingConfig> l : listeners) {
      try {
        l.accept(next);
      } catch (RuntimeException e) {
        logger.warn("routing listener failed", e);
      }
    }
  }

  private String stamp() {
    StringBuilder b = new StringBuilder();
    for (Path f : files) {
      try {
        b.append(Files.readString(f));
      } catch (IOException e) {
        b.append("missing");
      }
      b.append('\u0001');
    }
    return b.toString();
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
