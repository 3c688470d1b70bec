package io.meshpulse.collector.mapping;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import java.util.List;
import java.util.Map;

/**
 * Envoy response flags as a bitmask (bit {@code n-1} for the field numbered {@code n} in
 * envoy.data.accesslog.v3.ResponseFlags) and as Envoy's short strings ({@code UF,URX}).
 */
public final class ResponseFlagsCodec {
  private static final Map<String, String> SHORT_NAMES =
      Map.ofEntries(
          Map.entry("failed_local_healthcheck", "LH"),
          Map.entry("no_healthy_upstream", "UH"),
          Map.entry("upstream_request_timeout", "UT"),
          Map.entry("local_reset", "LR"),
          Map.entry("upstream_remote_reset", "UR"),
          Map.entry("upstream_connection_failure", "UF"),
          Map.entry("upstream_connection_termination", "UC"),
          Map.entry("upstream_overflow", "UO"),
          Map.entry("no_route_found", "NR"),
          Map.entry("delay_injected", "DI"),
          Map.entry("fault_injected", "FI"),
          Map.entry("rate_limited", "RL"),
          Map.entry("unauthorized_details", "UAEX"),
          Map.entry("rate_limit_service_error", "RLSE"),
          Map.entry("downstream_connection_termination", "DC"),
          Map.entry("upstream_retry_limit_exceeded", "URX"),
          Map.entry("stream_idle_timeout", "SI"),
          Map.entry("invalid_envoy_request_headers", "IH"),
          Map.entry("downstream_protocol_error", "DPE"),
          Map.entry("upstream_max_stream_duration_reached", "UMSDR"),
          Map.entry("response_from_cache_filter", "RFCF"),
          Map.entry("no_filter_config_found", "NFCF"),
          Map.entry("duration_timeout", "DT"),
          Map.entry("upstream_protocol_error", "UPE"),
          Map.entry("no_cluster_found", "NC"),
          Map.entry("overload_manager", "OM"),
          Map.entry("dns_resolution_failure", "DF"),
          Map.entry("downstream_remote_reset", "DR"));

  private static final List<FieldDescriptor> FIELDS = ResponseFlags.getDescriptor().getFields();

  private ResponseFlagsCodec() {}

  /** The bitmask of the flags set in {@code flags}. */
  public static long bitmask(ResponseFlags flags) {
    if (flags.equals(ResponseFlags.getDefaultInstance())) {
      return 0;
    }
    long mask = 0;
    // Only the fields that are set: cheaper than reading all of them on the hot path.
    for (FieldDescriptor field : flags.getAllFields().keySet()) {
      if (field.getNumber() <= 64 && isSet(flags, field)) {
        mask |= 1L << (field.getNumber() - 1);
      }
    }
    return mask;
  }

  /** Envoy's short strings of the flags in {@code mask}, comma-separated; {@code -} when none. */
  public static String text(long mask) {
    if (mask == 0) {
      return "-";
    }
    StringBuilder text = new StringBuilder();
    for (FieldDescriptor field : FIELDS) {
      int bit = field.getNumber() - 1;
      if (bit < 64 && (mask & (1L << bit)) != 0) {
        if (!text.isEmpty()) {
          text.append(',');
        }
        text.append(SHORT_NAMES.getOrDefault(field.getName(), field.getName()));
      }
    }
    return text.toString();
  }

  private static boolean isSet(ResponseFlags flags, FieldDescriptor field) {
    if (field.getJavaType() == FieldDescriptor.JavaType.BOOLEAN) {
      return (Boolean) flags.getField(field);
    }
    return flags.hasField(field);
  }
}
