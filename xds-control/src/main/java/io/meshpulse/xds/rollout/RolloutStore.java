package io.meshpulse.xds.rollout;

/**
 * Where rollouts are kept beyond memory, so that they outlive a restart. Told of every change on
 * the thread that made it, under the rollouts' lock: an implementation must not block.
 */
public interface RolloutStore {
  RolloutStore NONE =
      new RolloutStore() {
        @Override
        public void changed(Rollout rollout) {}

        @Override
        public void removed(String key) {}
      };

  /** A rollout started, stepped, held with a new reason, was promoted or was rolled back. */
  void changed(Rollout rollout);

  /** The rollout with this key ({@code <service>/<canary>}) is forgotten. */
  void removed(String key);
}
