package dev.convlens.bridge;

/** A call on a model after {@code close()}: every method of a closed model, and every run still queued when it closed. */
public final class ModelClosedException extends ConvlensException {
  public ModelClosedException(String modelName) {
    super("model '" + modelName + "' is closed");
  }
}
