package io.meshpulse.bench.collector;

import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * One proxy's ALS stream, as Envoy sends it: the pre-serialized messages (identifier on the first)
 * are written as fast as the transport is ready for them, then the stream is half-closed. Messages
 * go out as bytes, so the client's cost is framing alone.
 */
final class AlsStream implements ClientResponseObserver<byte[], StreamAccessLogsResponse> {
  private static final MethodDescriptor<byte[], StreamAccessLogsResponse> METHOD =
      AccessLogServiceGrpc.getStreamAccessLogsMethod().toBuilder(
              new BytesMarshaller(),
              ProtoUtils.marshaller(StreamAccessLogsResponse.getDefaultInstance()))
          .build();

  /** Completes with the status the collector closed the stream with. */
  final CompletableFuture<Status> status = new CompletableFuture<>();

  private final byte[] first;
  private final byte[][] batches;
  private final int messages;
  private int sent;
  private boolean halfClosed;

  /** {@code messages} in all: {@code first}, then {@code batches} in turn. */
  private AlsStream(byte[] first, byte[][] batches, int messages) {
    this.first = first;
    this.batches = batches;
    this.messages = messages;
  }

  static AlsStream start(Channel channel, byte[] first, byte[][] batches, int messages) {
    AlsStream stream = new AlsStream(first, batches, messages);
    ClientCalls.asyncClientStreamingCall(channel.newCall(METHOD, CallOptions.DEFAULT), stream);
    return stream;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<byte[]> requests) {
    requests.setOnReadyHandler(
        () -> {
          while (requests.isReady() && sent < messages && !status.isDone()) {
            requests.onNext(sent == 0 ? first : batches[(sent - 1) % batches.length]);
            sent++;
          }
          if (sent == messages && !halfClosed && !status.isDone()) {
            halfClosed = true;
            requests.onCompleted();
          }
        });
  }

  @Override
  public void onNext(StreamAccessLogsResponse value) {}

  @Override
  public void onError(Throwable t) {
    status.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    status.complete(Status.OK);
  }

  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
