package io.meshpulse.streamprocessor.io;

import org.jspecify.annotations.Nullable;

/** What the Kafka source emits: a decoded sample, or a dead letter when decoding failed. */
public final class Inbound {
  public @Nullable Sample sample;
  public @Nullable OutRecord deadLetter;

  public Inbound() {}

  public static Inbound of(Sample sample) {
    Inbound in = new Inbound();
    in.sample = sample;
    return in;
  }

  public static Inbound rejected(OutRecord deadLetter) {
    Inbound in = new Inbound();
    in.deadLetter = deadLetter;
    return in;
  }
}
