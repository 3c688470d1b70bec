package io.meshpulse.streamprocessor.io;

import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.Locality;
import io.meshpulse.streamprocessor.score.EndpointId;
import io.meshpulse.streamprocessor.score.ErrorClass;

/**
 * The part of one access record the health job needs, as a Flink POJO (public fields, no-arg
 * constructor) so it crosses the network without Kryo or protobuf.
 */
public final class Sample {
  /** {@code <cluster>|<subset>|<address>:<port>}: the window key. */
  public String key = "";

  public String cluster = "";
  public String subset = "";
  public String address = "";
  public int port;
  public String region = "";
  public String zone = "";
  public String subZone = "";
  public long timestampMillis;
  public double latencyMillis;
  public ErrorClass outcome = ErrorClass.NONE;
  public String proxy = "";

  public Sample() {}

  public static Sample of(AccessRecord record) {
    Sample s = new Sample();
    Endpoint endpoint = record.getEndpoint();
    s.cluster = record.getCluster();
    s.subset = record.getSubset();
    s.address = endpoint.getAddress();
    s.port = endpoint.getPort();
    Locality locality = endpoint.getLocality();
    s.region = locality.getRegion();
    s.zone = locality.getZone();
    s.subZone = locality.getSubZone();
    s.key = s.cluster + '|' + s.subset + '|' + s.address + ':' + s.port;
    s.timestampMillis = Math.floorDiv(record.getStartTimeUnixMicros(), 1000L);
    s.latencyMillis = record.getDurationMicros() / 1000.0;
    s.outcome = ErrorClass.of(record);
    s.proxy = record.getNodeId();
    return s;
  }

  public boolean hasEndpoint() {
    return !address.isEmpty();
  }

  public EndpointId endpointId() {
    return new EndpointId(
        cluster,
        subset,
        Endpoint.newBuilder()
            .setAddress(address)
            .setPort(port)
            .setLocality(Locality.newBuilder().setRegion(region).setZone(zone).setSubZone(subZone))
            .build());
  }

  @Override
  public String toString() {
    return "Sample{" + key + " @" + timestampMillis + " " + outcome + " " + latencyMillis + "ms}";
  }
}
