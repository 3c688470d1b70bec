package io.meshpulse.bench;

import java.io.PrintStream;
import java.util.List;

/** One {@code ./meshpulse bench NAME}: runs, prints progress, returns its figures as Markdown. */
public interface Benchmark {
  /** The name on the command line: collector, stream, xds or loop. */
  String name();

  /** A sentence saying what is measured and how, written above the figures. */
  String description();

  /** Runs the benchmark; returns Markdown lines (usually a table) with its figures. */
  List<String> run(PrintStream progress) throws Exception;
}
