/**
 * Reconciliation with Alertmanager's API: the alerts it lists as active start the shifts a lost or
 * never-received notification did not, and alerts it no longer lists resolve theirs.
 */
@NullMarked
package io.meshpulse.xds.alertmanager;

import org.jspecify.annotations.NullMarked;
