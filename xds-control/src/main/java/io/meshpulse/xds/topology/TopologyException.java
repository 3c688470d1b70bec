package io.meshpulse.xds.topology;

import java.util.List;

/** A topology file that cannot be used, with every problem found in it. */
public final class TopologyException extends Exception {
  private final List<String> problems;

  public TopologyException(String source, List<String> problems) {
    super(source + ": " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
