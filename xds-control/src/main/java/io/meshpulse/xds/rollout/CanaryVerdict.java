package io.meshpulse.xds.rollout;

/** What the canary's health says about its rollout, with the numbers behind it. */
record CanaryVerdict(Kind kind, String summary) {
  enum Kind {
    /** Fresh judged health, every threshold met: the rollout may step up. */
    GOOD,
    /** Fresh judged health breaks a threshold: roll back. */
    BAD,
    /** No fresh judged health: hold where it is. */
    UNKNOWN
  }

  static CanaryVerdict good(String summary) {
    return new CanaryVerdict(Kind.GOOD, summary);
  }

  static CanaryVerdict bad(String summary) {
    return new CanaryVerdict(Kind.BAD, summary);
  }

  static CanaryVerdict unknown(String summary) {
    return new CanaryVerdict(Kind.UNKNOWN, summary);
  }
}
