/**
 * Progressive rollouts: a canary subset's share of its service's traffic stepped up every interval
 * while its health holds, rolled back at once on a health drop, an alert or an operator's abort.
 */
@NullMarked
package io.meshpulse.xds.rollout;

import org.jspecify.annotations.NullMarked;
