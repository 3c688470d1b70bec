package io.meshpulse.streamprocessor.score;

import io.meshpulse.model.v1.Endpoint;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The statistics of one endpoint over one finished window: what the peer comparison and the scorer
 * read. Immutable.
 */
public final class EndpointStats {
  private final EndpointId id;
  private final long windowStartMillis;
  private final long windowEndMillis;
  private final ErrorCounts counts;
  private final RecentSlide recent;
  private final int reportingProxies;
  private final LatencyHistogram latencyMillis;

  EndpointStats(
      EndpointId id,
      long windowStartMillis,
      long windowEndMillis,
      ErrorCounts counts,
      RecentSlide recent,
      int reportingProxies,
      LatencyHistogram latencyMillis) {
    this.id = id;
    this.windowStartMillis = windowStartMillis;
    this.windowEndMillis = windowEndMillis;
    this.counts = counts;
    this.recent = recent;
    this.reportingProxies = reportingProxies;
    this.latencyMillis = latencyMillis;
  }

  /** The statistics of no requests (for serializers that need an instance). */
  public static EndpointStats empty() {
    return new EndpointStats(
        new EndpointId("", "", Endpoint.getDefaultInstance()),
        0,
        0,
        new ErrorCounts(0, 0, 0, 0, 0),
        RecentSlide.EMPTY,
        0,
        LatencyHistogram.EMPTY);
  }

  public EndpointId id() {
    return id;
  }

  public long windowStartMillis() {
    return windowStartMillis;
  }

  public long windowEndMillis() {
    return windowEndMillis;
  }

  public ErrorCounts counts() {
    return counts;
  }

  public long requests() {
    return counts.requests();
  }

  /** Requests in the window's last slide. */
  public long recentRequests() {
    return recent.requests();
  }

  /** Errors in the window's last slide. */
  public long recentErrors() {
    return recent.errors();
  }

  /** The window's last slide: counts and median latency. */
  public RecentSlide recent() {
    return recent;
  }

  public int reportingProxies() {
    return reportingProxies;
  }

  public double p50Millis() {
    return latencyMillis.p50();
  }

  public double p90Millis() {
    return latencyMillis.p90();
  }

  public double p99Millis() {
    return latencyMillis.p99();
  }

  /** Whether any request of the window carried a latency. */
  public boolean hasLatency() {
    return !latencyMillis.isEmpty();
  }

  /** The window's latencies (for service-level quantiles). */
  LatencyHistogram latency() {
    return latencyMillis;
  }

  @Override
  public String toString() {
    return "EndpointStats{"
        + id.key()
        + " window=["
        + windowStartMillis
        + ","
        + windowEndMillis
        + ") "
        + counts
        + " recent="
        + recent
        + " p99="
        + p99Millis()
        + "}";
  }

  public void writeTo(DataOutput out) throws IOException {
    writeId(id, out);
    out.writeLong(windowStartMillis);
    out.writeLong(windowEndMillis);
    out.writeLong(counts.requests());
    out.writeLong(counts.http5xx());
    out.writeLong(counts.grpcErrors());
    out.writeLong(counts.connectionFailures());
    out.writeLong(counts.timeouts());
    out.writeLong(recent.requests());
    out.writeLong(recent.errors());
    out.writeLong(recent.spanRequests());
    out.writeLong(recent.spanErrors());
    recent.latencyMillis().writeTo(out);
    out.writeInt(reportingProxies);
    latencyMillis.writeTo(out);
  }

  public static EndpointStats readFrom(DataInput in) throws IOException {
    EndpointId id = readId(in);
    long start = in.readLong();
    long end = in.readLong();
    ErrorCounts counts =
        new ErrorCounts(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
    long recentRequests = in.readLong();
    long recentErrors = in.readLong();
    long spanRequests = in.readLong();
    long spanErrors = in.readLong();
    RecentSlide recent =
        new RecentSlide(
            recentRequests, recentErrors, LatencyHistogram.readFrom(in), spanRequests, spanErrors);
    int proxies = in.readInt();
    return new EndpointStats(
        id, start, end, counts, recent, proxies, LatencyHistogram.readFrom(in));
  }

  static void writeId(EndpointId id, DataOutput out) throws IOException {
    out.writeUTF(id.cluster());
    out.writeUTF(id.subset());
    byte[] endpoint = id.endpoint().toByteArray();
    out.writeInt(endpoint.length);
    out.write(endpoint);
  }

  static EndpointId readId(DataInput in) throws IOException {
    String cluster = in.readUTF();
    String subset = in.readUTF();
    byte[] endpoint = new byte[in.readInt()];
    in.readFully(endpoint);
    return new EndpointId(cluster, subset, Endpoint.parseFrom(endpoint));
  }
}
