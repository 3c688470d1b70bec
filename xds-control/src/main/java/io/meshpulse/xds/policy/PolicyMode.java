package io.meshpulse.xds.policy;

/** Whether the policy acts on health, holds the last routing, or has reverted to neutral. */
public enum PolicyMode {
  NORMAL,
  /** The pipeline went silent: nothing changes except by operator override. */
  HOLD,
  /** Silent for longer than the hold time: every endpoint returns to neutral. */
  REVERT
}
