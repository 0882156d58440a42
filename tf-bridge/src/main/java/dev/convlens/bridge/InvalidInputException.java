package dev.convlens.bridge;

import org.jspecify.annotations.Nullable;

/** An argument that does not fit: wrong input shape, unknown layer name, a null or out-of-range option. */
public class InvalidInputException extends ConvlensException {
  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@code value}, or an InvalidInputException naming the argument when it is null. */
  public static <T> T requireNonNull(@Nullable T value, String argument) {
    if (value == null) {
      throw new InvalidInputException(argument + " is null");
    }
    return value;
  }
}
