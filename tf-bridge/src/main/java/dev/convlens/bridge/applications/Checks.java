package dev.convlens.bridge.applications;

import dev.convlens.bridge.ConvlensException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Argument checks shared by the application options; every message names the model, the option and what is allowed. */
final class Checks {
  /** Activations a classifier top may use: Keras' built-in names that the graph builder implements. */
  static final Set<String> ACTIVATIONS = Set.of("softmax", "linear", "sigmoid", "relu", "relu6", "tanh", "elu",
      "selu", "softplus", "softsign", "swish", "silu", "exponential", "hard_sigmoid");

  /** Keras' {@code min_size} for every application built on 3x3 convolutions and 5 down-samplings. */
  static final int MIN_SIZE = 32;

  private Checks() {}

  static ConvlensException invalid(String model, String option, @Nullable Object value, String allowed) {
    return new ConvlensException(model + ": invalid option " + option + " = " + value + "; " + allowed);
  }

  static void inputSize(String model, int height, int width) {
    if (height < MIN_SIZE || width < MIN_SIZE) {
      throw invalid(model, "inputSize", height + "x" + width,
          "height and width must each be at least " + MIN_SIZE + " pixels");
    }
  }

  static void classes(String model, int classes) {
    if (classes < 1) {
      throw invalid(model, "classes", classes, "must be at least 1");
    }
  }

  static void notNull(String model, String option, @Nullable Object value) {
    if (value == null) {
      throw invalid(model, option, null, "must not be null");
    }
  }
}
