package io.meshpulse.bench.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.MappingOptions;
import io.meshpulse.collector.mapping.NodeIdentity;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.mapping.PlainNodeMapping;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Reporter;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvoyTrafficTest {
  @Test
  void batches_areEnvoySizedAndMapAsIstioTrafficOfBothDirections() {
    List<StreamAccessLogsMessage> batches = EnvoyTraffic.batches(4, 1);
    NodeIdentity node =
        new NodeIdentityResolver(PlainNodeMapping.defaults()).resolve(EnvoyTraffic.node(0));
    AccessRecordMapper mapper = new AccessRecordMapper(MappingOptions.defaults());

    assertThat(batches).as("batches").hasSize(4);
    int inbound = 0;
    for (StreamAccessLogsMessage batch : batches) {
      assertThat(batch.hasIdentifier()).as("identifier on a later message").isFalse();
      assertThat(batch.getHttpLogs().getLogEntryCount())
          .as("entries per message")
          .isEqualTo(EnvoyTraffic.ENTRIES_PER_MESSAGE);
      for (HTTPAccessLogEntry entry : batch.getHttpLogs().getLogEntryList()) {
        AccessRecord record = mapper.mapHttp(node, entry);
        assertThat(record.getCluster()).as("cluster").endsWith(".default.svc.cluster.local");
        assertThat(record.getTraceId()).as("trace id").hasSize(32);
        if (record.getReporter() == Reporter.REPORTER_DESTINATION) {
          inbound++;
        }
      }
    }
    assertThat(inbound).as("inbound entries of 400").isBetween(60, 180);
    assertThat(node.peer().getWorkload()).as("Istio workload of the node").isEqualTo("reviews-v1");
  }

  @Test
  void firstMessage_carriesTheNodeAndTheSameEntries() {
    StreamAccessLogsMessage batch = EnvoyTraffic.batches(1, 2).get(0);
    StreamAccessLogsMessage first = EnvoyTraffic.first(EnvoyTraffic.node(5), batch);

    assertThat(first.getIdentifier().getNode().getId())
        .as("node id")
        .startsWith("sidecar~")
        .endsWith("~default.svc.cluster.local");
    assertThat(first.getHttpLogs()).as("entries").isEqualTo(batch.getHttpLogs());
  }
}
