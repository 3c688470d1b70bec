package io.meshpulse.xds.lease;

import io.meshpulse.xds.kafka.KafkaClientConfig;
import java.time.Duration;

/**
 * A process that only competes for the lease, for {@link LeaderLeaseIT} to kill: prints {@code
 * acquired} when it holds it, then waits to be killed. Arguments: bootstrap servers, topic, group,
 * holder, lease duration in ms.
 */
public final class LeaseHolderMain {
  private LeaseHolderMain() {}

  public static void main(String[] args) throws InterruptedException {
    LeaderLease.Settings settings =
        new LeaderLease.Settings(
            args[1], args[2], args[3], Duration.ofMillis(Long.parseLong(args[4])));
    new LeaderLease(
            KafkaClientConfig.of(args[0]),
            settings,
            new LeaderLease.Listener() {
              @Override
              public void acquired() {
                System.out.println("acquired");
                System.out.flush();
              }

              @Override
              public void lost(String reason) {
                System.out.println("lost " + reason);
                System.out.flush();
              }
            })
        .start();
    Thread.sleep(Long.MAX_VALUE);
  }
}
