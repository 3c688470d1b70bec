package io.meshpulse.xds.routing;

import java.util.List;

/** Routing files that cannot be served, with every problem found in them. */
public final class RoutingException extends Exception {
  private final List<RoutingProblem> problems;

  public RoutingException(List<RoutingProblem> problems) {
    super(summary(problems));
    this.problems = List.copyOf(problems);
  }

  public List<RoutingProblem> problems() {
    return problems;
  }

  private static String summary(List<RoutingProblem> problems) {
    StringBuilder b = new StringBuilder(problems.size() + " problem(s)");
    for (RoutingProblem p : problems) {
      b.append("\n  ").append(p);
    }
    return b.toString();
  }
}
