package io.meshpulse.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Evaluates {@link RequiresTool}. */
final class RequiredToolsCondition implements ExecutionCondition {
  static final String REQUIRE_PROPERTY = "meshpulse.requireTools";

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<RequiresTool> annotation =
        AnnotationSupport.findAnnotation(context.getElement(), RequiresTool.class);
    if (annotation.isEmpty()) {
      return ConditionEvaluationResult.enabled("no external tool required");
    }
    List<String> missing = missing(annotation.get().value(), System.getenv("PATH"));
    if (missing.isEmpty()) {
      return ConditionEvaluationResult.enabled("tools present");
    }
    String message =
        "required tools missing from PATH: "
            + missing
            + " (./meshpulse test installs them; on Debian: apt-get install -y prometheus"
            + " prometheus-alertmanager)";
    if (Boolean.getBoolean(REQUIRE_PROPERTY)) {
      throw new ExtensionConfigurationException(message + "; -D" + REQUIRE_PROPERTY + "=true");
    }
    System.err.println("!!! SKIPPED " + context.getDisplayName() + ": " + message);
    return ConditionEvaluationResult.disabled(message);
  }

  static List<String> missing(String[] tools, @org.jspecify.annotations.Nullable String path) {
    List<String> missing = new ArrayList<>();
    for (String tool : tools) {
      if (find(tool, path).isEmpty()) {
        missing.add(tool);
      }
    }
    return missing;
  }

  /** The executable's path, searching {@code path} (a PATH-style list). */
  static Optional<Path> find(String tool, @org.jspecify.annotations.Nullable String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, tool);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
