package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.model.v1.Window;
import org.jspecify.annotations.Nullable;

/**
 * The time a health record speaks of, which its age is measured from: the end of the window it
 * judges, else (a record without a window) when the health job emitted it; 0 when it carries
 * neither. Not the emission time alone: a health job that restarts from its last checkpoint, or
 * catches up on a backlog, scores windows again that ended up to minutes ago and emits them now. A
 * verdict on an old window is as old as the window, however new the record: acted on as fresh, a
 * fault that has since ended would eject its endpoint again. In steady operation the two differ by
 * the job's emission delay (about a second), well inside {@code stale-after}.
 */
public final class RecordTime {
  private RecordTime() {}

  public static long millis(EndpointHealth h) {
    return millis(h.hasWindow() ? h.getWindow() : null, h.getEmittedUnixMillis());
  }

  public static long millis(ServiceHealth h) {
    return millis(h.hasWindow() ? h.getWindow() : null, h.getEmittedUnixMillis());
  }

  private static long millis(@Nullable Window window, long emitted) {
    return window != null && window.getEndUnixMillis() > 0 ? window.getEndUnixMillis() : emitted;
  }
}
