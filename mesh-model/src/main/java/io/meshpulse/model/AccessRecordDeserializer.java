package io.meshpulse.model;

import io.meshpulse.model.v1.AccessRecord;

/** Reads {@link AccessRecord}s; a record without a cluster is rejected. */
public final class AccessRecordDeserializer extends ProtoDeserializer<AccessRecord> {
  public AccessRecordDeserializer() {
    super(
        "AccessRecord",
        AccessRecord.parser(),
        r -> r.getCluster().isEmpty() ? "its cluster is empty" : null);
  }
}
