package io.meshpulse.collector.sink;

/**
 * Limits of the {@link RecordBuffer}. At the soft limits the collector stops reading from its gRPC
 * streams; only a batch that would pass the hard limits is dropped.
 */
public record BufferLimits(long maxRecords, long maxBytes, long hardMaxRecords, long hardMaxBytes) {
  public BufferLimits {
    if (maxRecords <= 0 || maxBytes <= 0) {
      throw new IllegalArgumentException("buffer limits must be positive");
    }
    if (hardMaxRecords < maxRecords || hardMaxBytes < maxBytes) {
      throw new IllegalArgumentException("hard buffer limits must not be below the soft limits");
    }
  }
}
