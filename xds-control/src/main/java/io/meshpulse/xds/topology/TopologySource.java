package io.meshpulse.xds.topology;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the topology comes from: a file today, a Kubernetes EndpointSlice watch later. A source
 * always has a current, valid topology; a bad update leaves it in force and is reported.
 */
public interface TopologySource extends AutoCloseable {
  Topology current();

  /** Called with every new valid topology, on the source's own thread. */
  void onChange(Consumer<Topology> listener);

  /** Why the last update was refused, while the previous topology stays in force. */
  Optional<String> lastError();

  /** How many updates were refused since start. */
  long rejectedUpdates();

  @Override
  void close();
}
