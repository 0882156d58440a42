package dev.convlens.bridge.keras;

import java.util.Arrays;

/**
 * A weight a layer declares, in Keras declaration order: its short name ({@code kernel},
 * {@code bias}, {@code gamma}, {@code moving_mean}, ...), its shape, and whether Keras trains it.
 */
public record WeightSpec(String name, long[] shape, boolean trainable) {
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
