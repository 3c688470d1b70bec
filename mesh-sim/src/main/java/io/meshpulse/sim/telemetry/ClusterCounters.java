package io.meshpulse.sim.telemetry;

import io.meshpulse.sim.model.Outcome;
import io.meshpulse.sim.model.ResponseFlag;

/**
 * Envoy's per-cluster upstream counters for one proxy (cumulative, like Envoy's stats), and the
 * membership gauges. Written by the proxy's tick, read by the metrics flush on the same tick.
 */
public final class ClusterCounters {
  long rqTotal;
  long rq2xx;
  long rq4xx;
  long rq5xx;
  long rqCompleted;
  long connectFail;
  long pendingOverflow;
  long noneHealthy;
  long healthyPanic;
  long membershipTotal;
  long membershipHealthy;
  long membershipDegraded;

  public void record(Outcome o, boolean panic) {
    rqTotal++;
    if (panic) {
      healthyPanic++;
    }
    switch (o.flag()) {
      case UPSTREAM_CONNECTION_FAILURE -> connectFail++;
      case UPSTREAM_OVERFLOW -> pendingOverflow++;
      case NO_HEALTHY_UPSTREAM -> noneHealthy++;
      case NONE -> {}
    }
    if (o.flag() == ResponseFlag.NONE) {
      rqCompleted++;
    }
    int s = o.httpStatus();
    if (s >= 500) {
      rq5xx++;
    } else if (s >= 400) {
      rq4xx++;
    } else if (s >= 200 && s < 300) {
      rq2xx++;
    }
  }

  public void membership(long total, long healthy, long degraded) {
    membershipTotal = total;
    membershipHealthy = healthy;
    membershipDegraded = degraded;
  }

  public long requests() {
    return rqTotal;
  }
}
