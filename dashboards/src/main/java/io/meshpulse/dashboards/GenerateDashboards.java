package io.meshpulse.dashboards;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes every dashboard to {@code <dir>/<uid>.json}; the build runs it with {@code grafana/}. */
public final class GenerateDashboards {
  private GenerateDashboards() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: GenerateDashboards <output directory>");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (Dashboard dashboard : MeshDashboards.all()) {
      Path file = dir.resolve(dashboard.fileName());
      String json = GrafanaJson.write(dashboard);
      if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(json)) {
        Files.writeString(file, json, StandardCharsets.UTF_8);
        System.out.println("wrote " + file);
      }
    }
  }
}
