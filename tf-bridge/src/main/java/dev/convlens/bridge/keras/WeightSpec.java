package dev.convlens.bridge.keras;

import java.util.Arrays;

/**
 * A weight a layer declares, in Keras declaration order: its short name ({@code kernel},
 * {@code bias}, {@code gamma}, {@code moving_mean}, ...), its shape, whether Keras trains it, and the
 * initializer its config names (what a model loaded without weights starts from).
 */
public record WeightSpec(String name, long[] shape, boolean trainable, Initializer initializer) {
  /** A weight that starts at zero when no value is stored (tests and fixtures). */
  public WeightSpec(String name, long[] shape, boolean trainable) {
    this(name, shape, trainable, Initializer.ZEROS);
  }

  public long count() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
