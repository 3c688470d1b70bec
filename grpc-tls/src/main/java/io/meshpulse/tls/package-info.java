/** TLS credentials of meshpulse's gRPC listeners, read from PEM files and read again on change. */
@NullMarked
package io.meshpulse.tls;

import org.jspecify.annotations.NullMarked;
