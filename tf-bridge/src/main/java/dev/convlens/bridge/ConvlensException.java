package dev.convlens.bridge;

/** Root of every error convlens raises on purpose: unchecked, so Kotlin and Scala callers see no checked-exception maze. */
public class ConvlensException extends RuntimeException {
  public ConvlensException(String message) {
    super(message);
  }

  public ConvlensException(String message, Throwable cause) {
    super(message, cause);
  }
}
