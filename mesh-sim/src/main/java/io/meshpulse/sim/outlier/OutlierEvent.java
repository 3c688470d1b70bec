package io.meshpulse.sim.outlier;

import org.jspecify.annotations.Nullable;

/**
 * A host ejected from, or returned to, one proxy's load-balancing set by its outlier detector.
 *
 * @param cause why it was ejected; null when the host returns to service
 * @param ejections how often the host has been ejected (Envoy's {@code num_ejections}; the ejection
 *     time follows a backoff of its own, see {@link OutlierDetector})
 */
public record OutlierEvent(
    String host, boolean ejected, @Nullable EjectionCause cause, long epochMs, int ejections) {}
