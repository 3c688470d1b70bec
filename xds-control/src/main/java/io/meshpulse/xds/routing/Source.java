package io.meshpulse.xds.routing;

/**
 * Where a parsed element came from: its file, resource and field path, and the line of each field
 * below it, so validation can report {@code file:line} for any field it names.
 */
public record Source(String file, String resource, String path, FieldLines lines) {
  /** The source of a field below this element, for example {@code child("route[0]")}. */
  public Source child(String field) {
    return new Source(file, resource, path.isEmpty() ? field : path + '.' + field, lines);
  }

  /** A problem with a field of this element ({@code ""} for the element itself). */
  public RoutingProblem problem(String field, String message) {
    String full = field.isEmpty() ? path : path.isEmpty() ? field : path + '.' + field;
    return new RoutingProblem(file, lines.lineOf(resource, full), resource, full, message);
  }
}
