package io.meshpulse.model;

import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointAction;
import io.meshpulse.model.v1.EndpointChange;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.Locality;
import io.meshpulse.model.v1.MetricKind;
import io.meshpulse.model.v1.Peer;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.model.v1.ProxyStats;
import io.meshpulse.model.v1.Reporter;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.model.v1.StatSample;
import io.meshpulse.model.v1.Window;

/**
 * One fully populated record of every schema, shared by the model's tests and other modules' ITs.
 */
public final class SampleRecords {
  public static final String CLUSTER = "reviews.default.svc.cluster.local";
  public static final Endpoint ENDPOINT =
      Endpoint.newBuilder()
          .setAddress("10.44.2.55")
          .setPort(9080)
          .setLocality(Locality.newBuilder().setRegion("eu-west1").setZone("eu-west1-b"))
          .build();

  private SampleRecords() {}

  public static AccessRecord accessRecord() {
    return AccessRecord.newBuilder()
        .setReporter(Reporter.REPORTER_SOURCE)
        .setNodeId(
            "sidecar~10.44.1.7~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local")
        .setSource(
            Peer.newBuilder()
                .setWorkload("productpage-v1")
                .setNamespace("default")
                .setApp("productpage")
                .setVersion("v1")
                .setPrincipal("spiffe://cluster.local/ns/default/sa/bookinfo-productpage"))
        .setDestination(
            Peer.newBuilder()
                .setWorkload("reviews-v2")
                .setNamespace("default")
                .setApp("reviews")
                .setVersion("v2")
                .setService(CLUSTER)
                .setServiceName("reviews")
                .setServiceNamespace("default"))
        .setCluster(CLUSTER)
        .setSubset("v2")
        .setUpstreamCluster("outbound|9080|v2|" + CLUSTER)
        .setEndpoint(ENDPOINT)
        .setProtocol(Protocol.PROTOCOL_HTTP)
        .setResponseCode(503)
        .setResponseFlags(1L << 2)
        .setResponseFlagsText("UF")
        .setStartTimeUnixMicros(1_764_158_400_000_000L)
        .setDurationMicros(12_345)
        .setUpstreamLatencyMicros(11_000)
        .setRequestBytes(310)
        .setResponseBytes(91)
        .setRequestMethod("GET")
        .setAuthority("reviews:9080")
        .setTraceId("4bf92f3577b34da6a3ce929d0e0e4736")
        .setRequestId("9d1b6a8e-2b0f-4c53-9b8f-4a0c2f9d7e11")
        .setConnectionSecurityPolicy("mutual_tls")
        .build();
  }

  public static ProxyStats proxyStats() {
    return ProxyStats.newBuilder()
        .setNodeId(
            "sidecar~10.44.1.7~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local")
        .setNodeCluster("productpage.default")
        .setTimestampUnixMillis(1_764_158_400_000L)
        .setIntervalMillis(5_000)
        .addSamples(
            StatSample.newBuilder()
                .setName("cluster.outbound|9080|v2|" + CLUSTER + ".upstream_rq_5xx")
                .setKind(MetricKind.METRIC_KIND_COUNTER)
                .setValue(3))
        .addSamples(
            StatSample.newBuilder()
                .setName("cluster.outbound|9080|v2|" + CLUSTER + ".membership_healthy")
                .setKind(MetricKind.METRIC_KIND_GAUGE)
                .setValue(4)
                .putLabels("cluster_name", "outbound|9080|v2|" + CLUSTER))
        .build();
  }

  public static EndpointHealth endpointHealth() {
    return EndpointHealth.newBuilder()
        .setCluster(CLUSTER)
        .setSubset("v2")
        .setEndpoint(ENDPOINT)
        .setWindow(
            Window.newBuilder()
                .setStartUnixMillis(1_764_158_390_000L)
                .setEndUnixMillis(1_764_158_400_000L))
        .setRequests(830)
        .setErrors(100)
        .setHttp5Xx(100)
        .setErrorRate(0.12)
        .setP50Millis(8.1)
        .setP90Millis(21.0)
        .setP99Millis(410)
        .setReportingProxies(6)
        .setPeerErrorRate(0.004)
        .setPeerMedianP99Millis(80)
        .setPeers(9)
        .setScore(0.08)
        .setState(HealthState.HEALTH_STATE_UNHEALTHY)
        .setConfidence(0.97)
        .addReasons("error rate 12.0 % vs peers 0.4 % (n=830)")
        .addReasons("p99 410 ms = 5.1x peers' median")
        .setEmittedUnixMillis(1_764_158_400_250L)
        .build();
  }

  public static ServiceHealth serviceHealth() {
    return ServiceHealth.newBuilder()
        .setCluster(CLUSTER)
        .setSubset("v2")
        .setWindow(
            Window.newBuilder()
                .setStartUnixMillis(1_764_158_390_000L)
                .setEndUnixMillis(1_764_158_400_000L))
        .setRequests(8_300)
        .setErrors(104)
        .setErrorRate(0.0125)
        .setP99Millis(95)
        .setEndpoints(10)
        .setEndpointsHealthy(9)
        .setEndpointsUnhealthy(1)
        .setScore(0.93)
        .setState(HealthState.HEALTH_STATE_HEALTHY)
        .addReasons("1 of 10 endpoints unhealthy")
        .build();
  }

  public static RoutingDecision routingDecision() {
    return RoutingDecision.newBuilder()
        .setId("01J9ZQ4X8Y6W3V2T1S0R9Q8P7N")
        .setCluster(CLUSTER)
        .setDecidedUnixMillis(1_764_158_400_400L)
        .setTrigger(DecisionTrigger.DECISION_TRIGGER_HEALTH)
        .addEndpointChanges(
            EndpointChange.newBuilder()
                .setEndpoint(ENDPOINT)
                .setSubset("v2")
                .setAction(EndpointAction.ENDPOINT_ACTION_EJECT)
                .setOldWeight(100)
                .setNewWeight(0)
                .setOldStatus("HEALTHY")
                .setNewStatus("UNHEALTHY")
                .addReasons("error rate 12.0 % vs peers 0.4 % (n=830)"))
        .addInputs(endpointHealth())
        .setXdsVersion("reviews.default.svc.cluster.local-17")
        .addReasons("1 endpoint ejected; 1 of 10 (10 %) within maxEjectionPercent 20 %")
        .build();
  }
}
