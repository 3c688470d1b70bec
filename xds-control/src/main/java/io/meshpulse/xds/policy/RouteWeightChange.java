package io.meshpulse.xds.policy;

/**
 * A subset's route weight changed (per mille of the route's traffic).
 *
 * @param route the configured route ({@code <virtual service>/<route>}) whose weight changed, or
 *     empty for the service's own route
 */
public record RouteWeightChange(String subset, int oldWeight, int newWeight, String route) {
  /** A change of the service's own route. */
  public RouteWeightChange(String subset, int oldWeight, int newWeight) {
    this(subset, oldWeight, newWeight, "");
  }
}
