package io.meshpulse.streamprocessor.score;

/** Requests and their errors by class; each request is in at most one class. */
public record ErrorCounts(
    long requests, long http5xx, long grpcErrors, long connectionFailures, long timeouts) {

  public long errors() {
    return http5xx + grpcErrors + connectionFailures + timeouts;
  }

  public double errorRate() {
    return requests == 0 ? 0.0 : (double) errors() / requests;
  }

  public ErrorCounts plus(ErrorCounts other) {
    return new ErrorCounts(
        requests + other.requests,
        http5xx + other.http5xx,
        grpcErrors + other.grpcErrors,
        connectionFailures + other.connectionFailures,
        timeouts + other.timeouts);
  }
}
