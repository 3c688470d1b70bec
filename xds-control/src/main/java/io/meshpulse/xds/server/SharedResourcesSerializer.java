package io.meshpulse.xds.server;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources.ApiVersion;
import io.envoyproxy.controlplane.server.serializer.ProtoResourcesSerializer;

/**
 * Packs each resource instance into an {@link Any} once, however many streams it is sent to.
 * java-control-plane's default serializer packs every resource again for every response, so one
 * snapshot change pushed to N streams serialized each resource N times on the publishing thread.
 * Keys are weak and compared by identity: an entry lives as long as a snapshot holds its resource.
 * Unlike the library's {@code CachedProtoResourcesSerializer}, the cache belongs to this instance
 * (no static state shared by every server in the JVM).
 */
final class SharedResourcesSerializer implements ProtoResourcesSerializer {
  private final Cache<Message, Any> packed = CacheBuilder.newBuilder().weakKeys().build();

  @Override
  public Any serialize(Message resource, ApiVersion apiVersion) {
    Any any = packed.getIfPresent(resource);
    if (any == null) {
      any = Any.pack(resource);
      packed.put(resource, any);
    }
    return any;
  }
}
