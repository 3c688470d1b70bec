package io.meshpulse.xds.routing;

import io.meshpulse.xds.topology.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Reads routing files and validates them together: the one code path for serving and for CLI. */
public final class RoutingFiles {
  private RoutingFiles() {}

  /**
   * Every problem of the files, read together (a virtual service may name a gateway of another
   * file), and the configuration they make.
   */
  public record Loaded(RoutingConfig config, List<RoutingProblem> problems) {
    public Loaded {
      problems = List.copyOf(problems);
    }

    public boolean ok() {
      return problems.isEmpty();
    }
  }

  public static Loaded read(List<Path> files, @Nullable Topology topology) {
    List<RoutingProblem> problems = new ArrayList<>();
    List<RoutingConfig> parts = new ArrayList<>();
    for (Path f : files) {
      String text;
      try {
        text = Files.readString(f);
      } catch (IOException e) {
        problems.add(new RoutingProblem(f.toString(), 0, "", "", "cannot read: " + e));
        continue;
      }
      parts.add(RoutingParser.parse(f.toString(), text, problems));
    }
    return check(RoutingConfig.merge(parts), topology, problems);
  }

  /** Parses and validates one text (tests, the API). */
  public static Loaded parse(String name, String yaml, @Nullable Topology topology) {
    List<RoutingProblem> problems = new ArrayList<>();
    return check(RoutingParser.parse(name, yaml, problems), topology, problems);
  }

  /**
   * The configuration, or the exception listing every problem.
   *
   * @throws RoutingException when any file has a problem
   */
  public static RoutingConfig load(List<Path> files, Topology topology) throws RoutingException {
    Loaded loaded = read(files, topology);
    if (!loaded.ok()) {
      throw new RoutingException(loaded.problems());
    }
    return loaded.config();
  }

  private static Loaded check(
      RoutingConfig config, @Nullable Topology topology, List<RoutingProblem> problems) {
    List<RoutingProblem> all = new ArrayList<>(problems);
    all.addAll(RoutingValidator.validate(config, topology));
    return new Loaded(config, all);
  }
}
