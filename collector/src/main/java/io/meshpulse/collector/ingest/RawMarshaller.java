package io.meshpulse.collector.ingest;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Hands request messages to the services as bytes, so they parse them themselves: a malformed
 * message then closes its stream with INVALID_ARGUMENT (rather than gRPC's generic INTERNAL) and is
 * counted, and the received byte count is exact.
 */
enum RawMarshaller implements MethodDescriptor.Marshaller<byte[]> {
  INSTANCE;

  @Override
  public InputStream stream(byte[] value) {
    return new ByteArrayInputStream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("cannot read message")
          .withCause(e)
          .asRuntimeException();
    }
  }
}
