package io.meshpulse.xds.snapshot;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.ResourceVersionResolver;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-resource versions: each resource's version is a hash of its content, and the version of a set
 * of resources (what a state-of-the-world watch compares) is a hash of the requested resources'
 * versions. A change to one cluster's endpoints therefore changes only that resource's version, and
 * only watches that name it see a new version.
 */
final class ResourceVersions {
  /**
   * Distinct resource-name lists whose version a snapshot remembers. Every open watch asks for its
   * version on each snapshot change (twice when it is answered), and Envoys of one kind name the
   * same resources, so a snapshot answers N watches with a few hashes instead of 2N.
   */
  private static final int MEMO_LIMIT = 1024;

  private ResourceVersions() {}

  static <T extends Message> VersionedResource<T> versioned(T resource) {
    return VersionedResource.create(resource, contentHash(resource));
  }

  static String contentHash(Message resource) {
    return Hashing.sha256().hashBytes(resource.toByteArray()).toString().substring(0, 16);
  }

  static <T extends Message> ResourceVersionResolver resolver(
      Map<String, VersionedResource<T>> byName) {
    Map<String, String> versions = new TreeMap<>();
    byName.forEach((name, r) -> versions.put(name, r.version()));
    String all = combine(versions.keySet().stream().toList(), versions);
    Map<List<String>, String> byNames = new ConcurrentHashMap<>();
    return names -> {
      if (names.isEmpty()) {
        return all;
      }
      String known = byNames.get(names);
      if (known != null) {
        return known;
      }
      String version = combine(names, versions);
      if (byNames.size() < MEMO_LIMIT) {
        byNames.put(List.copyOf(names), version);
      }
      return version;
    };
  }

  private static String combine(List<String> names, Map<String, String> versions) {
    Hasher hasher = Hashing.sha256().newHasher();
    names.stream()
        .sorted()
        .forEach(
            n ->
                hasher
                    .putString(n, StandardCharsets.UTF_8)
                    .putChar('=')
                    .putString(versions.getOrDefault(n, "-"), StandardCharsets.UTF_8)
                    .putChar(';'));
    return hasher.hash().toString().substring(0, 16);
  }
}
