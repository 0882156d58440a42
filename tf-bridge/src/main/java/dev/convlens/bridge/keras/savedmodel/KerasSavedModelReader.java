package dev.convlens.bridge.keras.savedmodel;

import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.keras.KerasArtifact;
import java.nio.file.Path;

/** Placeholder until the SavedModel reader lands (being written on its own branch). */
public final class KerasSavedModelReader {
  private KerasSavedModelReader() {}

  public static KerasArtifact read(Path dir) {
    throw new ModelFormatException(dir, "Keras SavedModel reading is not available yet");
  }
}
