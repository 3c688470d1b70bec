/**
 * Grafana dashboards as code: each PromQL query is defined once in {@link
 * io.meshpulse.dashboards.Queries} and the dashboards are written as JSON by {@link
 * io.meshpulse.dashboards.GenerateDashboards}.
 */
@NullMarked
package io.meshpulse.dashboards;

import org.jspecify.annotations.NullMarked;
