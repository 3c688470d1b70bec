/**
 * Health scoring without any framework: error classes, per-endpoint aggregates, peer comparison and
 * the score formula.
 */
@NullMarked
package io.meshpulse.streamprocessor.score;

import org.jspecify.annotations.NullMarked;
