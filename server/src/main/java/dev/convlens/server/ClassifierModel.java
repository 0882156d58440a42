package dev.convlens.server;

import dev.convlens.bridge.image.ImageLimits;
import java.nio.file.Path;

/** Placeholder until ImageClassifier lands on main. */
final class ClassifierModel {
  private ClassifierModel() {}

  static ServedModel load(String name, Path path, ImageLimits limits) {
    throw new UnsupportedOperationException("ImageClassifier not merged yet");
  }
}
