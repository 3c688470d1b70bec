package io.meshpulse.xds.api;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.XdsControlRuntime;
import io.meshpulse.xds.rollout.Rollout;
import io.meshpulse.xds.rollout.RolloutSpec;
import io.meshpulse.xds.rollout.Rollouts;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Progressive rollouts: {@code POST /api/v1/rollouts} starts one, {@code GET} lists them, {@code
 * DELETE /api/v1/rollouts/{service}/{subset}} aborts a progressing one (rolled back at once) or
 * forgets a finished one. When the alert webhook has a token, POST and DELETE need it too. Starts
 * and aborts are audited as decisions (trigger ROLLOUT); the steps themselves are decided by the
 * routing policy. A start or abort answers once its change is on the rollouts topic, or after the
 * write's wait with {@code "stored": false} (the change is in force and retried until stored).
 */
@RestController
@RequestMapping("/api/v1/rollouts")
public class RolloutController {
  private final XdsControlRuntime runtime;
  private final Clock clock = Clock.systemUTC();

  public RolloutController(XdsControlRuntime runtime) {
    this.runtime = runtime;
  }

  @GetMapping
  public List<RolloutView> list() {
    return runtime.rollouts().list().stream().map(this::view).toList();
  }

  @GetMapping("/{service}/{subset}")
  public ResponseEntity<?> get(@PathVariable String service, @PathVariable String subset) {
    Optional<Rollout> r = runtime.rollouts().get(service, subset);
    return r.<ResponseEntity<?>>map(x -> ResponseEntity.ok(view(x)))
        .orElseGet(() -> error(HttpStatus.NOT_FOUND, "no rollout of " + service + "/" + subset));
  }

  @PostMapping
  public ResponseEntity<?> start(@RequestBody(required = false) @Nullable String body) {
    Optional<ResponseEntity<Map<String, Object>>> starting = StartupGate.refuse(runtime);
    if (starting.isPresent()) {
      return starting.get();
    }
    RolloutSpec spec;
    try {
      spec = RolloutRequest.parse(body == null ? "" : body);
    } catch (IllegalArgumentException e) {
      return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    Optional<String> problem =
        spec.problemIn(runtime.topology().current(), runtime.routing().current());
    if (problem.isPresent()) {
      return error(HttpStatus.BAD_REQUEST, problem.get());
    }
    Optional<Rollout> started = runtime.rollouts().start(spec, clock.instant());
    if (started.isEmpty()) {
      return error(
          HttpStatus.CONFLICT,
          "a rollout of "
              + spec.key()
              + " is progressing; DELETE /api/v1/rollouts/"
              + spec.key()
              + " aborts it");
    }
    audit(
        started.get(),
        String.format(
            Locale.ROOT,
            "rollout %s started: %s takes %d %% more of %s's traffic every %d ms up to %d %%"
                + " while its health holds%s",
            spec.key(),
            spec.canary(),
            spec.stepPercent(),
            spec.stable(),
            spec.interval().toMillis(),
            spec.maxPercent(),
            spec.route().isEmpty() ? "" : ", on route " + spec.route()));
    boolean stored = runtime.rolloutTopic().awaitStored(spec.key());
    return ResponseEntity.status(HttpStatus.CREATED).body(RolloutView.of(started.get(), stored));
  }

  @DeleteMapping("/{service}/{subset}")
  public ResponseEntity<?> abort(@PathVariable String service, @PathVariable String subset) {
    Optional<ResponseEntity<Map<String, Object>>> starting = StartupGate.refuse(runtime);
    if (starting.isPresent()) {
      return starting.get();
    }
    Optional<Rollout> before = runtime.rollouts().get(service, subset);
    Rollouts.Abort outcome =
        runtime.rollouts().abort(service, subset, "aborted by the operator", clock.instant());
    if (outcome == Rollouts.Abort.UNKNOWN || before.isEmpty()) {
      return error(HttpStatus.NOT_FOUND, "no rollout of " + service + "/" + subset);
    }
    if (outcome == Rollouts.Abort.DECLARED) {
      return error(
          HttpStatus.CONFLICT,
          "rollout "
              + service
              + "/"
              + subset
              + " has finished and is declared in meshpulse.xds.rollouts: remove it there, or"
              + " forgotten it would start again at the next restart");
    }
    Rollout shown =
        outcome == Rollouts.Abort.ROLLED_BACK
            ? runtime.rollouts().get(service, subset).orElse(before.get())
            : before.get();
    audit(
        shown,
        outcome == Rollouts.Abort.ROLLED_BACK
            ? "rollout " + shown.spec().key() + " aborted by the operator: rolled back"
            : "rollout "
                + shown.spec().key()
                + " removed ("
                + shown.state()
                + "): the route weights return to the topology's");
    boolean stored = runtime.rolloutTopic().awaitStored(shown.spec().key());
    return ResponseEntity.ok(
        Map.of(
            "outcome",
            outcome.name().toLowerCase(Locale.ROOT),
            "rollout",
            RolloutView.of(shown, stored)));
  }

  private RolloutView view(Rollout r) {
    return RolloutView.of(r, runtime.rolloutTopic().stored(r.spec().key()));
  }

  private void audit(Rollout rollout, String reason) {
    RoutingDecision audit =
        RoutingDecision.newBuilder()
            .setId(UUID.randomUUID().toString())
            .setCluster(rollout.spec().service())
            .setDecidedUnixMillis(Instant.now(clock).toEpochMilli())
            .setTrigger(DecisionTrigger.DECISION_TRIGGER_ROLLOUT)
            .setTriggerRef(rollout.ref())
            .setDryRun(runtime.loop().policy().config().dryRun())
            .addReasons(reason)
            .build();
    runtime.loop().execute(() -> runtime.loop().emit(audit));
    runtime.loop().requestEvaluation();
  }

  private static ResponseEntity<?> error(HttpStatus status, String message) {
    return ResponseEntity.status(status).body(Map.of("error", message));
  }
}
