package io.meshpulse.collector.ingest;

import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

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
      if (stream instanceof KnownLength) {
        // gRPC knows the message's length: one copy into an array of that size.
        byte[] message = new byte[stream.available()];
        int read = stream.readNBytes(message, 0, message.length);
        byte[] rest = stream.readAllBytes();
        if (read == message.length && rest.length == 0) {
          return message;
        }
        byte[] whole = Arrays.copyOf(message, read + rest.length);
        System.arraycopy(rest, 0, whole, read, rest.length);
        return whole;
      }
      return stream.readAllBytes();
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("cannot read message")
          .withCause(e)
          .asRuntimeException();
    }
  }
}
