package io.meshpulse.streamprocessor.io;

import org.jspecify.annotations.Nullable;

/** What the Kafka source emits: a decoded sample, or a dead letter when decoding failed. */
public final class Inbound {
  public @Nullable Sample sample;
  public @Nullable OutRecord deadLetter;

  /** The sample was reported by the destination's proxy (Istio's reporter=destination). */
  public boolean destinationReported;

  public Inbound() {}

  public static Inbound of(Sample sample) {
    Inbound in = new Inbound();
    in.sample = sample;
    return in;
  }

  /** A sample the destination's (server-side) proxy reported. */
  public static Inbound fromDestination(Sample sample) {
    Inbound in = of(sample);
    in.destinationReported = true;
    return in;
  }

  public static Inbound rejected(OutRecord deadLetter) {
    Inbound in = new Inbound();
    in.deadLetter = deadLetter;
    return in;
  }
}
