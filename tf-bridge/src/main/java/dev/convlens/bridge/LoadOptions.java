package dev.convlens.bridge;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * How to load a model. Immutable; start from {@link #defaults()} and use the withers.
 *
 * @param weights a weights-only (or full-model) Keras HDF5 file whose weights replace the model's
 * @param inputShape per-sample input shape (height, width, channels) for models whose input size
 *     is not fixed (e.g. a convolutional base saved with {@code (None, None, 3)})
 * @param randomWeightsSeed when set, layers without stored weights get Keras-default random
 *     values (Glorot-uniform kernels) from this seed instead of failing: for benchmarks and tests
 */
public record LoadOptions(Path weights, long[] inputShape, Long randomWeightsSeed) {
  public static LoadOptions defaults() {
    return new LoadOptions(null, null, null);
  }

  public LoadOptions withWeights(Path file) {
    return new LoadOptions(file, inputShape, randomWeightsSeed);
  }

  public LoadOptions withInputShape(long height, long width, long channels) {
    return new LoadOptions(weights, new long[] {height, width, channels}, randomWeightsSeed);
  }

  public LoadOptions withRandomWeights(long seed) {
    return new LoadOptions(weights, inputShape, seed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoadOptions l && java.util.Objects.equals(weights, l.weights)
        && Arrays.equals(inputShape, l.inputShape) && java.util.Objects.equals(randomWeightsSeed, l.randomWeightsSeed);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(weights, Arrays.hashCode(inputShape), randomWeightsSeed);
  }

  @Override
  public String toString() {
    return "LoadOptions[weights=" + weights + ", inputShape=" + Arrays.toString(inputShape) + ", randomWeightsSeed="
        + randomWeightsSeed + "]";
  }
}
