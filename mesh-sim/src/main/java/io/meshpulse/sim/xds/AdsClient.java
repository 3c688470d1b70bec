package io.meshpulse.sim.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A State-of-the-World ADS client, like Envoy's: subscribes to CDS and LDS (wildcard), then to EDS
 * for the clusters and RDS for the route configurations the listeners name; ACKs every accepted
 * response with its version and nonce, NACKs (previous version, the nonce, error_detail) a response
 * it cannot parse, keeps the last accepted configuration while disconnected and reconnects with
 * back-off. Responses are handled on the stream's gRPC callback thread (one at a time).
 */
public final class AdsClient {
  /** Receives every accepted configuration change. */
  public interface UpdateListener {
    void onAccepted(XdsState before, XdsState after, String typeUrl, String version);
  }

  private static final Logger LOG = LoggerFactory.getLogger(AdsClient.class);
  private static final List<String> TYPES =
      List.of(XdsTypes.CLUSTER, XdsTypes.LISTENER, XdsTypes.ENDPOINT, XdsTypes.ROUTE);

  /** Per-type subscription state. */
  private static final class TypeState {
    String acceptedVersion = "";
    String nonce = "";
    List<String> names = List.of();
    boolean requested;
  }

  private final Channel channel;
  private final Node node;
  private final ScheduledExecutorService scheduler;
  private final UpdateListener listener;
  private final String logId;
  private final Object lock = new Object();
  private final Map<String, TypeState> types = new HashMap<>();
  private final AtomicLong acks = new AtomicLong();
  private final AtomicLong nacks = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();

  // guarded by lock
  private @Nullable StreamObserver<DiscoveryRequest> requests;
  private long generation;
  private boolean stopped;
  private long backoffMs = 250;
  private volatile XdsState state = XdsState.EMPTY;

  public AdsClient(
      Channel channel, Node node, ScheduledExecutorService scheduler, UpdateListener listener) {
    this.channel = channel;
    this.node = node;
    this.scheduler = scheduler;
    this.listener = listener;
    this.logId = node.getId();
    TYPES.forEach(t -> types.put(t, new TypeState()));
    types.get(XdsTypes.CLUSTER).requested = true;
    types.get(XdsTypes.LISTENER).requested = true;
  }

  public void start() {
    connect();
  }

  public void stop() {
    synchronized (lock) {
      stopped = true;
      if (requests != null) {
        try {
          requests.onCompleted();
        } catch (RuntimeException e) {
          LOG.debug("ads={} close failed", logId, e);
        }
        requests = null;
      }
    }
  }

  public XdsState state() {
    return state;
  }

  public long acks() {
    return acks.get();
  }

  public long nacks() {
    return nacks.get();
  }

  public long reconnects() {
    return reconnects.get();
  }

  private void connect() {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      long gen = ++generation;
      requests =
          AggregatedDiscoveryServiceGrpc.newStub(channel)
              .streamAggregatedResources(new ResponseObserver(gen));
      // on (re)connect: every subscribed type, with the last accepted version and no nonce
      for (String type : TYPES) {
        TypeState ts = types.get(type);
        ts.nonce = "";
        if (ts.requested) {
          send(type, ts, null);
        }
      }
    }
  }

  private void send(String typeUrl, TypeState ts, @Nullable String error) {
    DiscoveryRequest.Builder b =
        DiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(typeUrl)
            .setVersionInfo(ts.acceptedVersion)
            .setResponseNonce(ts.nonce)
            .addAllResourceNames(ts.names);
    if (error != null) {
      b.setErrorDetail(
          com.google.rpc.Status.newBuilder()
              .setCode(Status.Code.INVALID_ARGUMENT.value())
              .setMessage(error));
    }
    if (requests != null) {
      requests.onNext(b.build());
    }
  }

  private final class ResponseObserver implements StreamObserver<DiscoveryResponse> {
    private final long gen;

    ResponseObserver(long gen) {
      this.gen = gen;
    }

    @Override
    public void onNext(DiscoveryResponse response) {
      synchronized (lock) {
        if (gen != generation || stopped) {
          return;
        }
        backoffMs = 250;
        handle(response);
      }
    }

    @Override
    public void onError(Throwable t) {
      Status s = Status.fromThrowable(t);
      if (s.getCode() == Status.Code.CANCELLED) {
        LOG.debug("ads={} stream cancelled", logId);
      } else {
        LOG.info(
            "ads={} stream failed status={} reconnect_in_ms={}", logId, s.getCode(), backoffMs);
      }
      retry();
    }

    @Override
    public void onCompleted() {
      LOG.info("ads={} stream closed by server", logId);
      retry();
    }

    private void retry() {
      long delay;
      synchronized (lock) {
        if (gen != generation || stopped) {
          return;
        }
        requests = null;
        delay = backoffMs;
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
      reconnects.incrementAndGet();
      scheduler.schedule(AdsClient.this::connect, delay, TimeUnit.MILLISECONDS);
    }
  }

  /** Called with the lock held. */
  private void handle(DiscoveryResponse r) {
    String type = r.getTypeUrl();
    TypeState ts = types.get(type);
    if (ts == null) {
      LOG.debug("ads={} ignoring type={}", logId, type);
      return;
    }
    ts.nonce = r.getNonce();
    XdsState before = state;
    XdsState after;
    try {
      after =
          switch (type) {
            case XdsTypes.CLUSTER -> applyClusters(before, r.getResourcesList());
            case XdsTypes.ENDPOINT -> applyEndpoints(before, r.getResourcesList());
            case XdsTypes.LISTENER -> applyListeners(before, r.getResourcesList());
            default -> applyRoutes(before, r.getResourcesList());
          };
    } catch (XdsParseException e) {
      nacks.incrementAndGet();
      LOG.warn(
          "ads={} NACK type={} version={} reason={}",
          logId,
          XdsTypes.shortName(type),
          r.getVersionInfo(),
          e.getMessage());
      send(type, ts, e.getMessage());
      return;
    }
    ts.acceptedVersion = r.getVersionInfo();
    state = after;
    acks.incrementAndGet();
    send(type, ts, null);
    listener.onAccepted(before, after, type, r.getVersionInfo());
    // follow-up subscriptions whose resource names changed
    if (type.equals(XdsTypes.CLUSTER)) {
      resubscribe(XdsTypes.ENDPOINT, new ArrayList<>(after.edsNames()));
    } else if (type.equals(XdsTypes.LISTENER)) {
      resubscribe(XdsTypes.ROUTE, new ArrayList<>(new TreeSet<>(after.rdsNames())));
    }
  }

  private void resubscribe(String type, List<String> names) {
    TypeState ts = types.get(type);
    if (ts.requested && ts.names.equals(names)) {
      return;
    }
    if (!ts.requested && names.isEmpty()) {
      return;
    }
    ts.names = List.copyOf(names);
    ts.requested = true;
    send(type, ts, null);
  }

  private static <T extends com.google.protobuf.Message> T unpack(
      Any any, String typeUrl, Class<T> cls) throws XdsParseException {
    if (!any.getTypeUrl().equals(typeUrl)) {
      throw new XdsParseException("unexpected resource type " + any.getTypeUrl());
    }
    try {
      return any.unpack(cls);
    } catch (InvalidProtocolBufferException e) {
      throw new XdsParseException("cannot parse " + typeUrl + ": " + e.getMessage());
    }
  }

  private static XdsState applyClusters(XdsState s, List<Any> resources) throws XdsParseException {
    Map<String, Cluster> clusters = new LinkedHashMap<>();
    Map<String, Assignment> inline = new HashMap<>();
    for (Any any : resources) {
      Cluster c = unpack(any, XdsTypes.CLUSTER, Cluster.class);
      if (c.getName().isEmpty()) {
        throw new XdsParseException("cluster without name");
      }
      if (c.getType() != Cluster.DiscoveryType.EDS && c.hasLoadAssignment()) {
        ClusterLoadAssignment cla = c.getLoadAssignment();
        if (cla.getClusterName().isEmpty()) {
          cla = cla.toBuilder().setClusterName(c.getName()).build();
        }
        inline.put(c.getName(), Assignment.parse(cla));
      }
      clusters.put(c.getName(), c);
    }
    // keep assignments of clusters that remain, drop the rest (Envoy removes them with the cluster)
    Set<String> wanted = new TreeSet<>();
    clusters.values().stream()
        .filter(c -> c.getType() == Cluster.DiscoveryType.EDS)
        .forEach(c -> wanted.add(XdsState.edsName(c)));
    Map<String, Assignment> eds = new HashMap<>(s.edsAssignments());
    eds.keySet().retainAll(wanted);
    return s.withClusters(clusters, inline, eds);
  }

  private static XdsState applyEndpoints(XdsState s, List<Any> resources) throws XdsParseException {
    Map<String, Assignment> eds = new HashMap<>(s.edsAssignments());
    for (Any any : resources) {
      Assignment a = Assignment.parse(unpack(any, XdsTypes.ENDPOINT, ClusterLoadAssignment.class));
      eds.put(a.name(), a);
    }
    return s.withEdsAssignments(eds);
  }

  private static XdsState applyListeners(XdsState s, List<Any> resources) throws XdsParseException {
    List<Listener> listeners = new ArrayList<>();
    for (Any any : resources) {
      listeners.add(unpack(any, XdsTypes.LISTENER, Listener.class));
    }
    ListenerRoutes lr = ListenerRoutes.of(listeners);
    return s.withListeners(lr.rdsNames(), lr.inline());
  }

  private static XdsState applyRoutes(XdsState s, List<Any> resources) throws XdsParseException {
    Map<String, RouteConfiguration> routes = new HashMap<>(s.rdsRoutes());
    for (Any any : resources) {
      RouteConfiguration rc = unpack(any, XdsTypes.ROUTE, RouteConfiguration.class);
      RouteWeights.validate(rc);
      routes.put(rc.getName(), rc);
    }
    routes.keySet().retainAll(s.rdsNames());
    return s.withRdsRoutes(routes);
  }
}
