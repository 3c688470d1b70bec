package io.meshpulse.streamprocessor.score;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.meshpulse.model.v1.Endpoint;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The running aggregate of one endpoint over one window: counts by error class, a latency sketch,
 * the reporting proxies, and the counts of the window's most recent slide (so a fault that started
 * less than a slide ago already shows at full strength). No raw records are kept; the size is
 * bounded by the sketch's bins and {@link #MAX_PROXIES}.
 */
public final class EndpointAggregate {
  /** Distinct proxies are counted up to this many; beyond it the count stays at the cap. */
  public static final int MAX_PROXIES = 256;

  private final long slideMillis;
  private @Nullable EndpointId id;
  private long requests;
  private long http5xx;
  private long grpcErrors;
  private long connectionFailures;
  private long timeouts;
  private long latestSlide = Long.MIN_VALUE;
  private long latestSlideRequests;
  private long latestSlideErrors;
  private final Set<String> proxies;
  private final DDSketch latencyMillis;
  private final DDSketch latestSlideLatencyMillis;

  public EndpointAggregate(long slideMillis) {
    this(slideMillis, LatencySketch.create(), LatencySketch.create(), new HashSet<>());
  }

  private EndpointAggregate(
      long slideMillis, DDSketch sketch, DDSketch latestSlideSketch, Set<String> proxies) {
    if (slideMillis <= 0) {
      throw new IllegalArgumentException("slideMillis must be positive, was " + slideMillis);
    }
    this.slideMillis = slideMillis;
    this.latencyMillis = sketch;
    this.latestSlideLatencyMillis = latestSlideSketch;
    this.proxies = proxies;
  }

  public @Nullable EndpointId id() {
    return id;
  }

  /** Sets the endpoint's identity the first time; later calls keep the first one. */
  public EndpointAggregate identify(EndpointId endpointId) {
    if (id == null) {
      id = endpointId;
    }
    return this;
  }

  /**
   * Adds one request. Requests that failed to connect carry no meaningful latency and stay out of
   * the sketch.
   */
  public EndpointAggregate add(
      long timestampMillis, ErrorClass outcome, double latencyMs, String proxy) {
    requests++;
    switch (outcome) {
      case HTTP_5XX -> http5xx++;
      case GRPC_ERROR -> grpcErrors++;
      case CONNECTION_FAILURE -> connectionFailures++;
      case TIMEOUT -> timeouts++;
      case NONE -> {}
    }
    boolean hasLatency = outcome != ErrorClass.CONNECTION_FAILURE && latencyMs >= 0;
    if (hasLatency) {
      latencyMillis.accept(latencyMs);
    }
    long slide = Math.floorDiv(timestampMillis, slideMillis);
    if (slide > latestSlide) {
      latestSlide = slide;
      latestSlideRequests = 0;
      latestSlideErrors = 0;
      latestSlideLatencyMillis.clear();
    }
    if (slide == latestSlide) {
      latestSlideRequests++;
      if (outcome.isError()) {
        latestSlideErrors++;
      }
      if (hasLatency) {
        latestSlideLatencyMillis.accept(latencyMs);
      }
    }
    if (proxies.size() < MAX_PROXIES) {
      proxies.add(proxy);
    }
    return this;
  }

  /** Adds {@code other} into this aggregate and returns this. */
  public EndpointAggregate merge(EndpointAggregate other) {
    if (id == null) {
      id = other.id;
    }
    requests += other.requests;
    http5xx += other.http5xx;
    grpcErrors += other.grpcErrors;
    connectionFailures += other.connectionFailures;
    timeouts += other.timeouts;
    if (other.latestSlide > latestSlide) {
      latestSlide = other.latestSlide;
      latestSlideRequests = other.latestSlideRequests;
      latestSlideErrors = other.latestSlideErrors;
      latestSlideLatencyMillis.clear();
      latestSlideLatencyMillis.mergeWith(other.latestSlideLatencyMillis);
    } else if (other.latestSlide == latestSlide) {
      latestSlideRequests += other.latestSlideRequests;
      latestSlideErrors += other.latestSlideErrors;
      latestSlideLatencyMillis.mergeWith(other.latestSlideLatencyMillis);
    }
    for (String proxy : other.proxies) {
      if (proxies.size() >= MAX_PROXIES) {
        break;
      }
      proxies.add(proxy);
    }
    latencyMillis.mergeWith(other.latencyMillis);
    return this;
  }

  public long requests() {
    return requests;
  }

  /** The final, immutable statistics of the window {@code [startMillis, endMillis)}. */
  public EndpointStats snapshot(long startMillis, long endMillis) {
    EndpointId endpointId = id != null ? id : new EndpointId("", "", Endpoint.getDefaultInstance());
    boolean recentInWindow = latestSlide == Math.floorDiv(endMillis - 1, slideMillis);
    return new EndpointStats(
        endpointId,
        startMillis,
        endMillis,
        new ErrorCounts(requests, http5xx, grpcErrors, connectionFailures, timeouts),
        new RecentSlide(
            recentInWindow ? latestSlideRequests : 0,
            recentInWindow ? latestSlideErrors : 0,
            recentInWindow ? (long) latestSlideLatencyMillis.getCount() : 0,
            recentInWindow ? LatencySketch.quantile(latestSlideLatencyMillis, 0.5) : 0.0),
        proxies.size(),
        LatencyHistogram.of(latencyMillis));
  }

  public void writeTo(DataOutput out) throws IOException {
    out.writeLong(slideMillis);
    out.writeBoolean(id != null);
    if (id != null) {
      EndpointStats.writeId(id, out);
    }
    out.writeLong(requests);
    out.writeLong(http5xx);
    out.writeLong(grpcErrors);
    out.writeLong(connectionFailures);
    out.writeLong(timeouts);
    out.writeLong(latestSlide);
    out.writeLong(latestSlideRequests);
    out.writeLong(latestSlideErrors);
    out.writeInt(proxies.size());
    for (String proxy : proxies) {
      out.writeUTF(proxy);
    }
    LatencySketch.write(latencyMillis, out);
    LatencySketch.write(latestSlideLatencyMillis, out);
  }

  public static EndpointAggregate readFrom(DataInput in) throws IOException {
    long slideMillis = in.readLong();
    EndpointId id = in.readBoolean() ? EndpointStats.readId(in) : null;
    long requests = in.readLong();
    long http5xx = in.readLong();
    long grpcErrors = in.readLong();
    long connectionFailures = in.readLong();
    long timeouts = in.readLong();
    long latestSlide = in.readLong();
    long latestSlideRequests = in.readLong();
    long latestSlideErrors = in.readLong();
    int proxyCount = in.readInt();
    Set<String> proxies = new HashSet<>(Math.max(4, proxyCount * 2));
    for (int i = 0; i < proxyCount; i++) {
      proxies.add(in.readUTF());
    }
    DDSketch latency = LatencySketch.read(in);
    EndpointAggregate aggregate =
        new EndpointAggregate(slideMillis, latency, LatencySketch.read(in), proxies);
    aggregate.id = id;
    aggregate.requests = requests;
    aggregate.http5xx = http5xx;
    aggregate.grpcErrors = grpcErrors;
    aggregate.connectionFailures = connectionFailures;
    aggregate.timeouts = timeouts;
    aggregate.latestSlide = latestSlide;
    aggregate.latestSlideRequests = latestSlideRequests;
    aggregate.latestSlideErrors = latestSlideErrors;
    return aggregate;
  }

  /** A deep copy, for Flink's copy-on-read paths. */
  public EndpointAggregate copy() {
    EndpointAggregate copy = new EndpointAggregate(slideMillis);
    copy.merge(this);
    copy.latestSlide = latestSlide;
    copy.latestSlideRequests = latestSlideRequests;
    copy.latestSlideErrors = latestSlideErrors;
    return copy;
  }
}
