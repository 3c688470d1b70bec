package io.meshpulse.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that needs external programs (for example {@code prometheus}). When one is missing from
 * the {@code PATH}, the test is skipped with a loud message under a plain {@code ./mvnw verify},
 * and fails under {@code ./meshpulse test} ({@code -Dmeshpulse.requireTools=true}), so CI can never
 * skip it silently.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiredToolsCondition.class)
public @interface RequiresTool {
  /** Executable names looked up on the {@code PATH}. */
  String[] value();
}
