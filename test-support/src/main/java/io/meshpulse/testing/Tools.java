package io.meshpulse.testing;

import java.nio.file.Path;

/** Finds the external programs that {@link RequiresTool} checks for. */
public final class Tools {
  private Tools() {}

  /** The absolute path of an executable on the {@code PATH}; fails when it is missing. */
  public static Path require(String tool) {
    return RequiredToolsCondition.find(tool, System.getenv("PATH"))
        .orElseThrow(() -> new IllegalStateException(tool + " is not on the PATH"));
  }
}
