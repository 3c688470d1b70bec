package io.meshpulse.xds.rollout;

/**
 * Where a rollout is. PROMOTED and ROLLED_BACK are final: they hold their routing until removed.
 */
public enum RolloutState {
  /** The canary's percent steps up every interval while its health holds. */
  PROGRESSING,
  /** The canary reached the rollout's maximum percent and stays there. */
  PROMOTED,
  /** The canary gets no traffic (health drop, alert or abort). */
  ROLLED_BACK
}
