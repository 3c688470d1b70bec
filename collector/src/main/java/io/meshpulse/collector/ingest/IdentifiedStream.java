package io.meshpulse.collector.ingest;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.meshpulse.collector.mapping.NodeIdentity;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.logging.LogLimiter;
import java.net.SocketAddress;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One client stream of an Envoy service that both the access log and the metrics service share:
 * messages arrive as bytes (counted), one at a time (the next is requested only once a message is
 * handled and the buffer has room), the node is known from the identifier on the first message, and
 * the stream ends with the service's empty response. Subclasses parse and handle a message.
 *
 * @param <R> the service's response type
 */
abstract class IdentifiedStream<R extends com.google.protobuf.Message>
    implements StreamObserver<byte[]> {
  private final ServerCallStreamObserver<R> call;
  private final R done;
  final StreamContext context;
  private final String service;
  private final CollectorMetrics metrics;
  private @Nullable NodeIdentity node;

  IdentifiedStream(
      ServerCallStreamObserver<R> call,
      R done,
      String service,
      long id,
      IngestPipeline pipeline,
      CollectorMetrics metrics,
      org.slf4j.Logger logger,
      LogLimiter badInputLogs) {
    this.call = call;
    this.done = done;
    this.service = service;
    this.metrics = metrics;
    this.context = new StreamContext(call, service, id, pipeline, metrics, logger, badInputLogs);
  }

  /**
   * The service definition of a client-streaming {@code method} whose requests are handed over as
   * bytes, each call handled by a stream from {@code open}.
   */
  static <R extends com.google.protobuf.Message> ServerServiceDefinition service(
      String serviceName,
      MethodDescriptor<?, R> method,
      R defaultResponse,
      Function<ServerCallStreamObserver<R>, IdentifiedStream<R>> open) {
    MethodDescriptor<byte[], R> raw =
        method.toBuilder(RawMarshaller.INSTANCE, ProtoUtils.marshaller(defaultResponse)).build();
    ServerServiceDefinition definition =
        ServerServiceDefinition.builder(serviceName)
            .addMethod(
                raw,
                ServerCalls.asyncClientStreamingCall(
                    responses -> {
                      IdentifiedStream<R> stream =
                          open.apply((ServerCallStreamObserver<R>) responses);
                      stream.context.requestNext();
                      return stream;
                    }))
            .build();
    return ServerInterceptors.intercept(definition, RemoteAddressInterceptor.INSTANCE);
  }

  /** Hands each call's client address to its stream ({@link StreamContext#REMOTE_ADDRESS}). */
  private enum RemoteAddressInterceptor implements ServerInterceptor {
    INSTANCE;

    @Override
    public <Q, S> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, S> call, Metadata headers, ServerCallHandler<Q, S> next) {
      SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      Context context = Context.current().withValue(StreamContext.REMOTE_ADDRESS, remote);
      return Contexts.interceptCall(context, call, headers, next);
    }
  }

  @Override
  public final void onNext(byte[] bytes) {
    if (context.closed()) {
      return;
    }
    metrics.batchReceived(service, bytes.length);
    if (receive(bytes)) {
      context.requestNext();
    }
  }

  /** Handles one message; false when it closed the stream. */
  abstract boolean receive(byte[] bytes);

  /**
   * The stream's node: from {@code identifier} when this message carries one, else the one known
   * from an earlier message; null (and the stream rejected) when there is none.
   */
  final @Nullable NodeIdentity node(@Nullable NodeIdentity identifier) {
    if (identifier != null) {
      node = identifier;
      context.identified(identifier.nodeId());
    }
    if (node == null) {
      context.reject(
          Status.INVALID_ARGUMENT.withDescription(
              "the first message of a stream must carry an identifier"),
          CollectorMetrics.MALFORMED_MISSING_IDENTIFIER);
    }
    return node;
  }

  /** Whether the stream's node is known. */
  final boolean identified() {
    return node != null;
  }

  /** Rejects a message that does not parse. */
  final void unparseable(String messageType) {
    context.reject(
        Status.INVALID_ARGUMENT.withDescription("malformed " + messageType),
        CollectorMetrics.MALFORMED_UNPARSEABLE);
  }

  @Override
  public final void onError(Throwable t) {
    context.onError(t);
  }

  @Override
  public final void onCompleted() {
    if (context.markClosed()) {
      call.onNext(done);
      call.onCompleted();
    }
  }
}
