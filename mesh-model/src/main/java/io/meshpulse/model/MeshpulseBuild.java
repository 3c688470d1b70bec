package io.meshpulse.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The release and source revision this build of meshpulse was made from. Every component reports
 * them (as {@code meshpulse_build_info} and in its start-up log line), so that an operator can see
 * whether the collector, the job and xds-control running together come from one build.
 *
 * @param version the Maven project version, e.g. {@code 0.4.0}
 * @param revision the abbreviated Git commit, with {@code -dirty} appended when the work tree had
 *     changes not committed (files not tracked by Git count), or {@value #UNKNOWN} when built
 *     outside a Git work tree
 */
public record MeshpulseBuild(String version, String revision) {
  /** The value of a field the build did not fill in. */
  public static final String UNKNOWN = "unknown";

  private static final String RESOURCE = "build.properties";
  private static final MeshpulseBuild CURRENT = load();

  /** The build these classes come from. */
  public static MeshpulseBuild current() {
    return CURRENT;
  }

  /** Reads the fields from the properties the build filled in; a missing field reads unknown. */
  static MeshpulseBuild of(Properties properties) {
    String revision = field(properties, "revision");
    if (!revision.equals(UNKNOWN) && "true".equals(properties.getProperty("dirty"))) {
      revision += "-dirty";
    }
    return new MeshpulseBuild(field(properties, "version"), revision);
  }

  private static String field(Properties properties, String name) {
    String value = properties.getProperty(name, "").trim();
    // An "@...@" placeholder left by the resource filter means the build had no value for it.
    return value.isEmpty() || value.startsWith("@") ? UNKNOWN : value;
  }

  private static MeshpulseBuild load() {
    Properties properties = new Properties();
    try (@Nullable InputStream in = MeshpulseBuild.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return of(properties);
  }

  /** {@code version (revision)}, as start-up logs show it. */
  @Override
  public String toString() {
    return version + " (" + revision + ")";
  }
}
