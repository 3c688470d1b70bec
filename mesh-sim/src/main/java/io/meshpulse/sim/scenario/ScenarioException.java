package io.meshpulse.sim.scenario;

/** A scenario that cannot be loaded: the message names the source and the offending field. */
public final class ScenarioException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ScenarioException(String message) {
    super(message);
  }

  public ScenarioException(String message, Throwable cause) {
    super(message, cause);
  }
}
