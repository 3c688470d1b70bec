package io.meshpulse.sim;

import java.util.Map;

/**
 * The live state of one endpoint, for a terminal table refreshed every second.
 *
 * @param rps requests sent to it in the last complete second (all proxies)
 * @param errorRate errors / requests in that second (0 without requests)
 * @param p99Ms p99 of the simulated latency in that second
 * @param faultActive whether a fault of the timeline is in force on it now
 * @param weightMin smallest load_balancing_weight any proxy holds for it (0: no proxy has an
 *     assignment containing it)
 * @param weightMax largest such weight
 * @param healthStatus the health status most proxies hold for it (HEALTHY, UNHEALTHY, ...); NONE
 *     when no proxy has an assignment containing it
 * @param statusCounts how many proxies hold each status
 */
public record EndpointSnapshot(
    String service,
    String subset,
    String endpoint,
    double rps,
    double errorRate,
    double p99Ms,
    boolean faultActive,
    int weightMin,
    int weightMax,
    String healthStatus,
    Map<String, Integer> statusCounts) {}
