package io.meshpulse.xds.routing;

import io.meshpulse.xds.topology.Topology;
import io.meshpulse.xds.topology.TopologyException;
import io.meshpulse.xds.topology.TopologyParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code ./meshpulse validate FILE...}: checks routing files offline with the code xds-control
 * serves them with. A file with a top-level {@code services:} list is a topology; with one, the
 * routing files' references to services, subsets and ports are checked against it too. Prints every
 * problem as {@code file:line: Kind/name field: message}; exits 0 when there are none, 1 when there
 * are, 2 on bad usage.
 */
public final class ValidateCommand {
  private static final Pattern TOPOLOGY = Pattern.compile("(?m)^services\\s*:");

  private ValidateCommand() {}

  public static void main(String[] args) {
    System.exit(run(List.of(args), System.out, System.err));
  }

  /** Runs the command; returns the exit status. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
      err.println("usage: meshpulse validate FILE...");
      err.println("  Checks routing files (Gateway and VirtualService documents). Give the");
      err.println("  topology file too to check services, subsets and ports.");
      return 2;
    }
    List<Path> routingFiles = new ArrayList<>();
    Topology topology = null;
    int problems = 0;
    for (String a : args) {
      Path f = Path.of(a);
      String text;
      try {
        text = Files.readString(f);
      } catch (IOException e) {
        err.println(a + ": cannot read: " + e.getMessage());
        problems++;
        continue;
      }
      if (TOPOLOGY.matcher(text).find()) {
        try {
          Topology t = TopologyParser.parse(a, text);
          topology = topology == null ? t : merge(topology, t);
        } catch (TopologyException e) {
          for (String p : e.problems()) {
            out.println(a + ": " + p);
          }
          problems += e.problems().size();
        }
      } else {
        routingFiles.add(f);
      }
    }
    RoutingFiles.Loaded loaded = RoutingFiles.read(routingFiles, topology);
    for (RoutingProblem p : loaded.problems()) {
      out.println(p);
    }
    problems += loaded.problems().size();
    RoutingConfig c = loaded.config();
    String summary =
        c.gateways().size()
            + " gateway(s), "
            + c.virtualServices().size()
            + " virtual service(s), "
            + c.routes().size()
            + " route(s)"
            + (topology == null
                ? "; services and subsets not checked (no topology file given)"
                : "; checked against " + topology.services().size() + " service(s)");
    if (problems > 0) {
      err.println(problems + " problem(s) in " + args.size() + " file(s): " + summary);
      return 1;
    }
    out.println("OK: " + summary);
    return 0;
  }

  private static Topology merge(@Nullable Topology a, Topology b) {
    List<io.meshpulse.xds.topology.ServiceSpec> all = new ArrayList<>(a.services());
    all.addAll(b.services());
    return new Topology(all);
  }
}
