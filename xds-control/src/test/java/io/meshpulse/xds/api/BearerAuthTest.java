package io.meshpulse.xds.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BearerAuthTest {
  @Test
  void oneToken_isAcceptedOnlyAsABearerToken() {
    List<String> secret = List.of("secret");
    assertThat(BearerAuth.authorized("Bearer secret", secret)).as("bearer").isTrue();
    assertThat(BearerAuth.authorized("bearer  secret ", secret)).as("case, spaces").isTrue();
    assertThat(BearerAuth.authorized("Bearer secret2", secret)).as("longer").isFalse();
    assertThat(BearerAuth.authorized("Basic secret", secret)).as("basic").isFalse();
    assertThat(BearerAuth.authorized(null, secret)).as("none").isFalse();
  }

  @Test
  void writes_areOpenWithoutAToken_andNeedOneOfTheTokensOtherwise() {
    assertThat(BearerAuth.allowsWrite(null, List.of())).as("no token").isTrue();
    assertThat(BearerAuth.allowsWrite(null, List.of("secret"))).as("token, no header").isFalse();
    assertThat(BearerAuth.allowsWrite("Bearer b", List.of("a", "b"))).as("second").isTrue();
    assertThat(BearerAuth.allowsWrite("Bearer c", List.of("a", "b"))).as("neither").isFalse();
    assertThat(BearerAuth.authorized("Bearer a", List.of())).as("no tokens").isFalse();
  }
}
