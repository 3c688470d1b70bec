package io.meshpulse.collector.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import org.junit.jupiter.api.Test;

class ResponseFlagsCodecTest {
  @Test
  void noFlags_isADash() {
    assertThat(ResponseFlagsCodec.bitmask(ResponseFlags.getDefaultInstance())).as("mask").isZero();
    assertThat(ResponseFlagsCodec.text(0)).as("text").isEqualTo("-");
  }

  @Test
  void everyConnectionFailureFlag_hasEnvoysShortString() {
    ResponseFlags flags =
        ResponseFlags.newBuilder()
            .setFailedLocalHealthcheck(true)
            .setNoHealthyUpstream(true)
            .setUpstreamRequestTimeout(true)
            .setUpstreamRemoteReset(true)
            .setUpstreamConnectionFailure(true)
            .setUpstreamConnectionTermination(true)
            .setUpstreamOverflow(true)
            .setNoRouteFound(true)
            .setDownstreamConnectionTermination(true)
            .setUpstreamRetryLimitExceeded(true)
            .build();

    assertThat(ResponseFlagsCodec.text(ResponseFlagsCodec.bitmask(flags)))
        .as("text in field order")
        .isEqualTo("LH,UH,UT,UR,UF,UC,UO,NR,DC,URX");
  }

  @Test
  void bitmask_followsTheProtoFieldNumbers() {
    assertThat(
            ResponseFlagsCodec.bitmask(
                ResponseFlags.newBuilder().setFailedLocalHealthcheck(true).build()))
        .as("field 1 is bit 0")
        .isEqualTo(1L);
    assertThat(
            ResponseFlagsCodec.bitmask(
                ResponseFlags.newBuilder().setUpstreamOverflow(true).build()))
        .as("field 8 is bit 7")
        .isEqualTo(1L << 7);
    assertThat(
            ResponseFlagsCodec.bitmask(
                ResponseFlags.newBuilder()
                    .setUnauthorizedDetails(
                        ResponseFlags.Unauthorized.newBuilder()
                            .setReason(ResponseFlags.Unauthorized.Reason.EXTERNAL_SERVICE))
                    .build()))
        .as("the unauthorized message counts when present")
        .isEqualTo(1L << 12);
    assertThat(ResponseFlagsCodec.text(1L << 12)).as("UAEX").isEqualTo("UAEX");
  }
}
