package io.meshpulse.xds.routing;

/**
 * A destination of a route with the weight it is served with, per mille of the route's traffic.
 *
 * @param subset the subset, or empty for every endpoint of the service
 */
public record WeightedDestination(String service, String subset, int weight) {
  /** How decisions name it: the subset, or the service when the destination is all of it. */
  public String label() {
    return subset.isEmpty() ? service : subset;
  }

  boolean sameTarget(String service, String subset) {
    return this.service.equals(service) && this.subset.equals(subset);
  }

  WeightedDestination withWeight(int w) {
    return new WeightedDestination(service, subset, w);
  }
}
