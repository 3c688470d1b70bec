package io.meshpulse.model;

import org.apache.kafka.common.errors.SerializationException;
import org.jspecify.annotations.Nullable;

/** Bytes on a topic that are not a valid meshpulse record. Never a silent empty record. */
public final class RecordDecodeException extends SerializationException {
  private static final long serialVersionUID = 1L;

  RecordDecodeException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
