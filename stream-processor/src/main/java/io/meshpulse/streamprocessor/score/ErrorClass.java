package io.meshpulse.streamprocessor.score;

import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Protocol;
import java.util.Set;

/**
 * The outcome class of one request. A request counts in at most one class, checked in this order:
 * connection failure, timeout, gRPC error, HTTP 5xx (the order documented on EndpointHealth).
 */
public enum ErrorClass {
  NONE,
  /** Envoy could not get a response from the host: UF, UH, URX, UC, UO, LH, UR, UPE, DF. */
  CONNECTION_FAILURE,
  /** Envoy gave up waiting: UT, SI, UMSDR, DT. */
  TIMEOUT,
  /**
   * A gRPC status that means the server failed: UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ...
   */
  GRPC_ERROR,
  /** An HTTP response code 500-599. */
  HTTP_5XX;

  static final Set<String> CONNECTION_FLAGS =
      Set.of("UF", "UH", "URX", "UC", "UO", "LH", "UR", "UPE", "DF");
  static final Set<String> TIMEOUT_FLAGS = Set.of("UT", "SI", "UMSDR", "DT");

  /**
   * gRPC codes that indicate a server-side failure. Client-caused codes (CANCELLED,
   * INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, FAILED_PRECONDITION, ABORTED,
   * OUT_OF_RANGE, UNIMPLEMENTED, UNAUTHENTICATED) say nothing about the endpoint's health.
   */
  static final Set<Integer> GRPC_SERVER_ERRORS =
      Set.of(
          2, // UNKNOWN
          4, // DEADLINE_EXCEEDED
          8, // RESOURCE_EXHAUSTED
          13, // INTERNAL
          14, // UNAVAILABLE
          15); // DATA_LOSS

  /**
   * Envoy's response-flag bits, as AccessRecord.response_flags carries them: bit {@code i} is field
   * {@code i + 1} of envoy.data.accesslog.v3.ResponseFlags. Used only when the text form is absent.
   */
  private static final long CONNECTION_BITS =
      bit(1) /* LH */
          | bit(2) /* UH */
          | bit(5) /* UR */
          | bit(6) /* UF */
          | bit(7) /* UC */
          | bit(8) /* UO */
          | bit(16) /* URX */
          | bit(24) /* UPE */
          | bit(27) /* DF */;

  private static final long TIMEOUT_BITS =
      bit(3) /* UT */ | bit(17) /* SI */ | bit(20) /* UMSDR */ | bit(23) /* DT */;

  public boolean isError() {
    return this != NONE;
  }

  /** Classifies one access record; never throws. */
  public static ErrorClass of(AccessRecord record) {
    return of(
        record.getResponseFlagsText(),
        record.getResponseFlags(),
        record.hasGrpcStatus(),
        record.getGrpcStatus(),
        record.getProtocol() == Protocol.PROTOCOL_GRPC,
        record.getResponseCode());
  }

  /**
   * Classifies one request from the access record's fields: {@code response_flags_text}, {@code
   * response_flags}, whether {@code grpc_status} is present and its value, whether the protocol is
   * gRPC, and {@code response_code}. Never throws.
   */
  public static ErrorClass of(
      String text,
      long flags,
      boolean hasGrpcStatus,
      int grpcStatus,
      boolean grpcProtocol,
      int responseCode) {
    if (!text.isEmpty() && !text.equals("-")) {
      boolean timeout = false;
      for (String flag : text.split(",", -1)) {
        String f = flag.trim();
        if (CONNECTION_FLAGS.contains(f)) {
          return CONNECTION_FAILURE;
        }
        timeout |= TIMEOUT_FLAGS.contains(f);
      }
      if (timeout) {
        return TIMEOUT;
      }
    } else if (flags != 0) {
      if ((flags & CONNECTION_BITS) != 0) {
        return CONNECTION_FAILURE;
      }
      if ((flags & TIMEOUT_BITS) != 0) {
        return TIMEOUT;
      }
    }
    if (hasGrpcStatus) {
      if (GRPC_SERVER_ERRORS.contains(grpcStatus)) {
        return GRPC_ERROR;
      }
      if (grpcProtocol && grpcStatus >= 0) {
        return NONE; // a readable gRPC status decides; -1 (not one Envoy could read) does not
      }
    }
    int code = responseCode;
    return code >= 500 && code <= 599 ? HTTP_5XX : NONE;
  }

  private static long bit(int fieldNumber) {
    return 1L << (fieldNumber - 1);
  }
}
