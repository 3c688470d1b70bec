package io.meshpulse.xds.routing;

/**
 * One thing wrong with a routing file, located well enough to fix it without searching.
 *
 * @param file the file as named by whoever loaded it
 * @param line 1-based line of the offending field (of its nearest enclosing field when the field
 *     itself is missing), 0 when unknown
 * @param resource {@code Kind/name} of the resource, or empty for problems of the file itself
 * @param field the field's path inside the resource, for example {@code
 *     spec.http[1].route[0].weight}
 */
public record RoutingProblem(String file, int line, String resource, String field, String message) {
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(file);
    if (line > 0) {
      b.append(':').append(line);
    }
    b.append(": ");
    if (!resource.isEmpty()) {
      b.append(resource).append(' ');
    }
    if (!field.isEmpty()) {
      b.append(field).append(": ");
    }
    return b.append(message).toString();
  }
}
