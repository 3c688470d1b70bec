package io.meshpulse.bench.collector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuClockTest {
  @Test
  void cpuTicks_addUserAndSystemTimeOfAStatLineWhoseNameHasSpacesAndParentheses() {
    String stat =
        "4242 (GC Thread#0 (x)) S 1 4242 4242 0 -1 4194368 12 0 0 0 250 17 0 0 20 0 30 0 99";

    assertThat(CpuClock.cpuTicks(stat)).as("utime 250 + stime 17").isEqualTo(267);
  }

  @Test
  void gcThreads_areG1sWorkersAndConcurrentThreadsOnly() {
    assertThat(CpuClock.gcThread("GC Thread#1")).as("GC Thread#1").isTrue();
    assertThat(CpuClock.gcThread("G1 Conc#0")).as("G1 Conc#0").isTrue();
    assertThat(CpuClock.gcThread("C2 CompilerThre")).as("JIT thread").isFalse();
    assertThat(CpuClock.gcThread("grpc-default-ex")).as("gRPC thread").isFalse();
  }
}
