/**
 * The routing configuration: Istio-shaped gateways and virtual services, read from YAML with the
 * line of every field, validated against the topology before anything is served, and translated to
 * Envoy's listeners and route configurations.
 */
@NullMarked
package io.meshpulse.xds.routing;

import org.jspecify.annotations.NullMarked;
