/**
 * Pure mapping from Envoy access log entries and stats to meshpulse records; no framework imports.
 */
@NullMarked
package io.meshpulse.collector.mapping;

import org.jspecify.annotations.NullMarked;
