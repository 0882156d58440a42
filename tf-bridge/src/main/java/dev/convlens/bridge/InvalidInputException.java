package dev.convlens.bridge;

/** An argument that does not fit the model: wrong input shape, unknown layer name, closed model. */
public class InvalidInputException extends ConvlensException {
  public InvalidInputException(String message) {
    super(message);
  }
}
