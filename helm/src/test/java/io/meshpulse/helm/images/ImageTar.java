package io.meshpulse.helm.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * An image in the Docker-save tar format (`manifest.json`, the config blob, one tar per layer):
 * what `jib:buildTar` writes and what `docker load` and Jib's {@code tar://} base images read.
 */
final class ImageTar {
  private static final ObjectMapper JSON = new ObjectMapper();

  final List<String> repoTags;
  final JsonNode config;

  /** The layers, base image first, each as its files. */
  final List<List<Tar.Entry>> layers;

  private ImageTar(List<String> repoTags, JsonNode config, List<List<Tar.Entry>> layers) {
    this.repoTags = repoTags;
    this.config = config;
    this.layers = layers;
  }

  static ImageTar read(Path tar) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(tar)) {
      for (Tar.Entry e : Tar.read(in)) {
        files.put(e.name(), e.content());
      }
    }
    JsonNode manifest = JSON.readTree(required(files, "manifest.json")).get(0);
    List<String> tags = new ArrayList<>();
    manifest.path("RepoTags").forEach(t -> tags.add(t.asText()));
    JsonNode config = JSON.readTree(required(files, manifest.get("Config").asText()));
    List<List<Tar.Entry>> layers = new ArrayList<>();
    for (JsonNode layer : manifest.get("Layers")) {
      byte[] blob = required(files, layer.asText());
      InputStream raw = new ByteArrayInputStream(blob);
      try (InputStream in = isGzip(blob) ? new GZIPInputStream(raw) : raw) {
        layers.add(Tar.read(in));
      }
    }
    return new ImageTar(tags, config, layers);
  }

  /** Writes a one-image Docker-save tar with the given config and uncompressed layers. */
  static void write(Path target, String repoTag, Map<String, Object> config, List<byte[]> layers)
      throws IOException {
    List<String> diffIds = new ArrayList<>();
    List<Tar.Entry> entries = new ArrayList<>();
    List<String> layerNames = new ArrayList<>();
    for (byte[] layer : layers) {
      String digest = sha256(layer);
      diffIds.add("sha256:" + digest);
      layerNames.add(digest + "/layer.tar");
      entries.add(Tar.Entry.directory(digest));
      entries.add(Tar.Entry.file(digest + "/layer.tar", 0644, layer));
    }
    Map<String, Object> fullConfig = new LinkedHashMap<>(config);
    fullConfig.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
    byte[] configJson = JSON.writeValueAsBytes(fullConfig);
    String configName = sha256(configJson) + ".json";
    entries.add(Tar.Entry.file(configName, 0644, configJson));
    Map<String, Object> manifest =
        Map.of("Config", configName, "RepoTags", List.of(repoTag), "Layers", layerNames);
    entries.add(Tar.Entry.file("manifest.json", 0644, JSON.writeValueAsBytes(List.of(manifest))));
    Files.write(target, Tar.write(entries));
  }

  /** The diff ids of the layers, in order, as the config lists them. */
  List<String> diffIds() {
    List<String> ids = new ArrayList<>();
    config.path("rootfs").path("diff_ids").forEach(d -> ids.add(d.asText()));
    return ids;
  }

  List<String> strings(String configField) {
    List<String> out = new ArrayList<>();
    config.path("config").path(configField).forEach(n -> out.add(n.asText()));
    return out;
  }

  List<String> exposedPorts() {
    List<String> ports = new ArrayList<>();
    config.path("config").path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
    return ports;
  }

  String user() {
    return config.path("config").path("User").asText();
  }

  /** The regular files Jib's layers (every layer after the base image's) put into the image. */
  Map<String, Tar.Entry> filesAbove(int baseLayers) {
    Map<String, Tar.Entry> files = new LinkedHashMap<>();
    for (List<Tar.Entry> layer : layers.subList(baseLayers, layers.size())) {
      for (Tar.Entry e : layer) {
        if (!e.isDirectory()) {
          files.put(e.path(), e);
        }
      }
    }
    return files;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isGzip(byte[] blob) {
    return blob.length > 2 && (blob[0] & 0xff) == 0x1f && (blob[1] & 0xff) == 0x8b;
  }

  private static byte[] required(Map<String, byte[]> files, String name) {
    byte[] content = files.get(name);
    if (content == null) {
      throw new IllegalStateException(
          "no " + name + " in the image tar; entries: " + files.keySet());
    }
    return content;
  }
}
