package io.meshpulse.streamprocessor.score;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.meshpulse.model.v1.Endpoint;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A test oracle: one endpoint's requests in one accumulator for the whole window, with a DDSketch
 * and a set of proxy ids (what a first version of the job kept per overlapping window). The panes
 * must give the same statistics; tests also build {@link EndpointStats} from it directly.
 */
public final class EndpointAggregate {
  static final int MAX_PROXIES = ProxyPresence.MAX_PROXIES;

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
            recentInWindow ? histogramOf(latestSlideLatencyMillis) : LatencyHistogram.EMPTY),
        proxies.size(),
        histogramOf(latencyMillis));
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

  /** The bins of {@code sketch} (a {@link LatencySketch} without negative values). */
  static LatencyHistogram histogramOf(DDSketch sketch) {
    com.datadoghq.sketch.ddsketch.store.Store positive = sketch.getPositiveValueStore();
    long zeros = Math.round(sketch.getCount() - positive.getTotalCount());
    if (positive.isEmpty()) {
      return LatencyHistogram.fromDense(zeros, new long[0], 0, 0);
    }
    int min = positive.getMinIndex();
    long[] dense = new long[positive.getMaxIndex() - min + 1];
    positive.forEach((index, count) -> dense[index - min] += Math.round(count));
    return LatencyHistogram.fromDense(zeros, dense, min, dense.length);
  }
}
