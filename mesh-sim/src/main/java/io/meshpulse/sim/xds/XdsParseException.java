package io.meshpulse.sim.xds;

/** A resource the simulated proxy rejects (it NACKs the response, as Envoy does). */
public final class XdsParseException extends Exception {
  private static final long serialVersionUID = 1L;

  public XdsParseException(String message) {
    super(message);
  }
}
