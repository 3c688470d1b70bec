/** An in-process single-node KRaft Kafka broker, used by the tests and the standalone runtime. */
@NullMarked
package io.meshpulse.kafka;

import org.jspecify.annotations.NullMarked;
