package io.meshpulse.xds.shift;

import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.util.List;
import java.util.Optional;

/**
 * The subset an alert names, in the topology's terms. An alert names the canary by a label of
 * Istio's metrics ({@code destination_version} by default): the pods' {@code version} label, which
 * is the subset's name only where the two agree. A DestinationRule subset {@code canary} selecting
 * {@code version: v2} gets alerts for {@code v2}; a shift of a subset named {@code v2} would move
 * nothing.
 */
public final class SubsetNames {
  /** The subset label Istio's {@code destination_version} comes from. */
  public static final String VERSION_LABEL = "version";

  private SubsetNames() {}

  /**
   * {@code shift} with its {@code from} and {@code to} as subset names of {@code topology}: a name
   * the service has stays; otherwise the one subset whose {@code version} label is that value, if
   * exactly one has it.
   */
  public static RouteShift resolve(Topology topology, RouteShift shift) {
    Optional<ServiceSpec> service = topology.service(shift.service());
    if (service.isEmpty()) {
      return shift;
    }
    String from = subset(service.get(), shift.from());
    String to = subset(service.get(), shift.to());
    if (from.equals(shift.from()) && to.equals(shift.to()) || from.equals(to)) {
      return shift;
    }
    return new RouteShift(
        shift.ref(),
        shift.service(),
        from,
        to,
        shift.remainingPercent(),
        shift.reason(),
        shift.route());
  }

  /**
   * The name in {@code topology} of {@code service}'s subset that {@code value} names: the value
   * when it is a subset's name (or the service is unknown), else the one subset whose {@code
   * version} label it is, else the value.
   */
  public static String subsetName(Topology topology, String service, String value) {
    return topology.service(service).map(s -> subset(s, value)).orElse(value);
  }

  private static String subset(ServiceSpec service, String name) {
    if (service.subsets().stream().anyMatch(s -> s.name().equals(name))) {
      return name;
    }
    List<SubsetSpec> labelled =
        service.subsets().stream().filter(s -> name.equals(s.labels().get(VERSION_LABEL))).toList();
    return labelled.size() == 1 ? labelled.get(0).name() : name;
  }
}
