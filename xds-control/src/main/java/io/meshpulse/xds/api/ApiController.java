package io.meshpulse.xds.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.XdsControlRuntime;
import io.meshpulse.xds.override.OverrideWriter;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointOverride;
import io.meshpulse.xds.topology.ServiceSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API: clusters, decisions, operator overrides (audited as decisions, kept on the
 * overrides topic; an answer's {@code stored} says whether the change reached it in time).
 */
@RestController
@RequestMapping("/api/v1")
public class ApiController {
  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private final XdsControlRuntime runtime;

  public ApiController(XdsControlRuntime runtime) {
    this.runtime = runtime;
  }

  @GetMapping("/clusters")
  public ClusterView clusters() {
    return ClusterView.of(
        runtime.loop().view(), runtime.loop().policy().config().dryRun(), runtime.topologyError());
  }

  @GetMapping(value = "/decisions", produces = MediaType.APPLICATION_JSON_VALUE)
  public String decisions(
      @RequestParam(defaultValue = "") String cluster,
      @RequestParam(defaultValue = "100") int limit) {
    List<RoutingDecision> recent =
        runtime.decisions().recent(cluster, Math.max(1, Math.min(limit, 1000)));
    StringBuilder b = new StringBuilder("[");
    for (RoutingDecision d : recent) {
      if (b.length() > 1) {
        b.append(',');
      }
      try {
        b.append(JSON.print(d));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("cannot print decision " + d.getId(), e);
      }
    }
    return b.append(']').toString();
  }

  /**
   * The overrides in force, by endpoint key, with whether the topology still serves the endpoint
   * (an override on an endpoint that left it comes back with its address).
   */
  @GetMapping("/overrides")
  public List<Map<String, Object>> overrides() {
    List<Map<String, Object>> result = new java.util.ArrayList<>();
    runtime.overrides().snapshot().values().stream()
        .sorted(java.util.Comparator.comparing(o -> o.endpoint().key()))
        .forEach(
            o -> {
              Map<String, Object> view = new java.util.LinkedHashMap<>();
              view.put("id", o.id());
              view.put("endpoint", o.endpoint().key());
              view.put("action", o.ejects() ? "eject" : "pin");
              if (!o.ejects()) {
                view.put("weight", o.weight());
              }
              view.put("reason", o.reason());
              view.put(
                  "inTopology",
                  resolve(o.endpoint().service(), o.endpoint().hostPort()).isPresent());
              result.add(view);
            });
    return result;
  }

  @PostMapping("/overrides")
  public ResponseEntity<Map<String, Object>> setOverride(
      @RequestBody(required = false) @Nullable String body) {
    Optional<ResponseEntity<Map<String, Object>>> starting = StartupGate.refuse(runtime);
    if (starting.isPresent()) {
      return starting.get();
    }
    OverrideRequest request;
    try {
      request = OverrideRequest.parse(body == null ? "" : body);
    } catch (IllegalArgumentException e) {
      return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    String problem = validate(request);
    if (problem != null) {
      return error(HttpStatus.BAD_REQUEST, problem);
    }
    Optional<EndpointId> id = resolve(request.cluster(), request.endpoint());
    if (id.isEmpty()) {
      return error(
          HttpStatus.NOT_FOUND, "unknown endpoint " + request.cluster() + "/" + request.endpoint());
    }
    String overrideId = UUID.randomUUID().toString();
    String reason =
        request.reason() == null || request.reason().isBlank()
            ? "operator override"
            : request.reason();
    EndpointOverride o =
        Boolean.TRUE.equals(request.eject())
            ? EndpointOverride.eject(overrideId, id.get(), reason)
            : EndpointOverride.pin(overrideId, id.get(), request.weight(), reason);
    boolean stored = runtime.overrideWriter().set(o);
    audit(
        id.get(),
        overrideId,
        (o.ejects() ? "override set: eject " : "override set: weight " + o.weight() + " for ")
            + id.get()
            + ": "
            + reason);
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(Map.of("id", overrideId, "endpoint", id.get().key(), "stored", stored));
  }

  @DeleteMapping("/overrides")
  public ResponseEntity<Map<String, Object>> deleteOverride(
      @RequestParam(required = false) String cluster,
      @RequestParam(required = false) String endpoint) {
    Optional<ResponseEntity<Map<String, Object>>> starting = StartupGate.refuse(runtime);
    if (starting.isPresent()) {
      return starting.get();
    }
    if (cluster == null || endpoint == null || cluster.isBlank() || endpoint.isBlank()) {
      return error(HttpStatus.BAD_REQUEST, "cluster and endpoint are required");
    }
    // An endpoint that has left the topology may still hold an override (and get it back with
    // its address): it is found by its key, so it can be removed.
    Optional<EndpointId> id =
        resolve(cluster, endpoint)
            .or(() -> Optional.ofNullable(EndpointId.parse(cluster + "/" + endpoint)));
    if (id.isEmpty()) {
      return error(HttpStatus.NOT_FOUND, "unknown endpoint " + cluster + "/" + endpoint);
    }
    Optional<OverrideWriter.Removal> removal = runtime.overrideWriter().remove(id.get());
    if (removal.isEmpty()) {
      return error(HttpStatus.NOT_FOUND, "no override for " + cluster + "/" + endpoint);
    }
    EndpointOverride removed = removal.get().removed();
    audit(id.get(), removed.id(), "override removed for " + id.get());
    return ResponseEntity.ok(
        Map.of("id", removed.id(), "endpoint", id.get().key(), "stored", removal.get().stored()));
  }

  private static String validate(OverrideRequest r) {
    if (r.cluster() == null || r.cluster().isBlank()) {
      return "cluster is required";
    }
    if (r.endpoint() == null || !r.endpoint().matches(".+:\\d{1,5}")) {
      return "endpoint must be <address>:<port>";
    }
    boolean eject = Boolean.TRUE.equals(r.eject());
    if (eject == (r.weight() != null)) {
      return "give exactly one of weight or eject=true";
    }
    if (r.weight() != null && (r.weight() < 1 || r.weight() > 10_000)) {
      return "weight must be in [1, 10000]";
    }
    return null;
  }

  private Optional<EndpointId> resolve(String cluster, String endpoint) {
    Optional<ServiceSpec> service = runtime.topology().current().service(cluster);
    return service.flatMap(
        s ->
            s.endpoints()
                .filter(e -> e.hostPort().equals(endpoint))
                .findFirst()
                .map(e -> EndpointId.of(cluster, e)));
  }

  private void audit(EndpointId id, String overrideId, String reason) {
    RoutingDecision audit =
        RoutingDecision.newBuilder()
            .setId(UUID.randomUUID().toString())
            .setCluster(id.service())
            .setDecidedUnixMillis(Instant.now().toEpochMilli())
            .setTrigger(DecisionTrigger.DECISION_TRIGGER_OVERRIDE)
            .setTriggerRef(overrideId)
            .setDryRun(runtime.loop().policy().config().dryRun())
            .addReasons(reason)
            .build();
    runtime.loop().execute(() -> runtime.loop().emit(audit));
    runtime.loop().requestEvaluation();
  }

  private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
    return ResponseEntity.status(status).body(Map.of("error", message));
  }
}
