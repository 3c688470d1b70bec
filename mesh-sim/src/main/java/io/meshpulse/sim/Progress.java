package io.meshpulse.sim;

/** A one-line summary of a running simulation. */
public record Progress(
    double elapsedSeconds,
    double rps,
    double errorRate,
    long recordsSent,
    long recordsDropped,
    long xdsAcks,
    long xdsNacks,
    int endpointChanges,
    int routeChanges) {

  public String line() {
    return String.format(
        "t=%5.1fs rps=%6.0f err=%5.2f%% sent=%d dropped=%d xds acks=%d nacks=%d endpointChanges=%d routeChanges=%d",
        elapsedSeconds,
        rps,
        errorRate * 100,
        recordsSent,
        recordsDropped,
        xdsAcks,
        xdsNacks,
        endpointChanges,
        routeChanges);
  }
}
