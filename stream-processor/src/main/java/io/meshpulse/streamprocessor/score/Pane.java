package io.meshpulse.streamprocessor.score;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** One endpoint's requests during one slide (e.g. one second): counts and latencies. */
final class Pane {
  long requests;
  long http5xx;
  long grpcErrors;
  long connectionFailures;
  long timeouts;

  final LatencyBins latencyMillis;

  Pane() {
    this(new LatencyBins());
  }

  private Pane(LatencyBins latencyMillis) {
    this.latencyMillis = latencyMillis;
  }

  /** Requests that failed to connect carry no meaningful latency and stay out of the sketch. */
  void add(ErrorClass outcome, double latencyMs) {
    requests++;
    switch (outcome) {
      case HTTP_5XX -> http5xx++;
      case GRPC_ERROR -> grpcErrors++;
      case CONNECTION_FAILURE -> connectionFailures++;
      case TIMEOUT -> timeouts++;
      case NONE -> {}
    }
    if (outcome != ErrorClass.CONNECTION_FAILURE && latencyMs >= 0) {
      latencyMillis.add(latencyMs);
    }
  }

  long errors() {
    return http5xx + grpcErrors + connectionFailures + timeouts;
  }

  Pane copy() {
    Pane copy = new Pane(latencyMillis.copy());
    copy.requests = requests;
    copy.http5xx = http5xx;
    copy.grpcErrors = grpcErrors;
    copy.connectionFailures = connectionFailures;
    copy.timeouts = timeouts;
    return copy;
  }

  void writeTo(DataOutput out) throws IOException {
    VarInts.write(requests, out);
    VarInts.write(http5xx, out);
    VarInts.write(grpcErrors, out);
    VarInts.write(connectionFailures, out);
    VarInts.write(timeouts, out);
    latencyMillis.writeTo(out);
  }

  static Pane readFrom(DataInput in) throws IOException {
    long requests = VarInts.read(in);
    long http5xx = VarInts.read(in);
    long grpcErrors = VarInts.read(in);
    long connectionFailures = VarInts.read(in);
    long timeouts = VarInts.read(in);
    Pane pane = new Pane(LatencyBins.readFrom(in));
    pane.requests = requests;
    pane.http5xx = http5xx;
    pane.grpcErrors = grpcErrors;
    pane.connectionFailures = connectionFailures;
    pane.timeouts = timeouts;
    return pane;
  }

  /** The latencies of {@code panes[from, to)}, added up. */
  static LatencyHistogram latencies(Pane[] panes, int from, int to) {
    LatencyBins[] bins = new LatencyBins[to - from];
    for (int i = from; i < to; i++) {
      bins[i - from] = panes[i].latencyMillis;
    }
    return LatencyHistogram.ofPanes(bins);
  }
}
