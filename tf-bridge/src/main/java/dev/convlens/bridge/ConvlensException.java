package dev.convlens.bridge;

import org.jspecify.annotations.Nullable;

/** Root of every error convlens raises on purpose: unchecked, so Kotlin and Scala callers see no checked-exception maze. */
public class ConvlensException extends RuntimeException {
  public ConvlensException(String message) {
    super(message);
  }

  public ConvlensException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
