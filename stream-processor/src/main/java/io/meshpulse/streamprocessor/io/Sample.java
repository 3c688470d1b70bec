package io.meshpulse.streamprocessor.io;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.streamprocessor.score.EndpointId;
import io.meshpulse.streamprocessor.score.ErrorClass;
import io.meshpulse.streamprocessor.score.ProxyHash;

/**
 * The part of one access record the health job needs, in a form that is cheap to build from the
 * wire bytes and to send across the network: the window key, the endpoint's identity as bytes
 * (decoded only for an endpoint the window stage has not seen), and the proxy as its {@link
 * ProxyHash}.
 */
public final class Sample {
  private static final long NO_KEY = EndpointKey.of("", "", "", 0);
  private static final int NO_PROXY = ProxyHash.of("");

  /** The window key: the {@link EndpointKey} of {@code <cluster>|<subset>|<address>:<port>}. */
  public long key = NO_KEY;

  /** Cluster, subset, address, port and locality, as {@link EndpointIdentity} encodes them. */
  public byte[] identity = EndpointIdentity.EMPTY;

  /** Whether the record names an upstream host. */
  public boolean hasEndpoint;

  /** The event time: when the request completed (its start time + its duration), in ms. */
  public long timestampMillis;

  /** The request's duration in ms. */
  public double latencyMillis;

  public ErrorClass outcome = ErrorClass.NONE;

  /** The reporting proxy's node id, hashed ({@link ProxyHash}). */
  public int proxyHash = NO_PROXY;

  public Sample() {}

  /** The sample of a parsed record: the same as reading its serialized bytes. */
  public static Sample of(AccessRecord record) {
    try {
      return new AccessRecordReader().read(record.toByteArray());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a built AccessRecord did not read back", e);
    }
  }

  public boolean hasEndpoint() {
    return hasEndpoint;
  }

  public EndpointId endpointId() {
    return EndpointIdentity.decode(identity);
  }

  @Override
  public String toString() {
    return "Sample{"
        + endpointId().key()
        + " @"
        + timestampMillis
        + " "
        + outcome
        + " "
        + latencyMillis
        + "ms}";
  }
}
