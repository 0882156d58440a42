package dev.convlens.bridge;

import dev.convlens.bridge.graph.LayerBuilder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How to load a model. Immutable; start from {@link #defaults()} and use the withers.
 *
 * @param weights a weights-only (or full-model) Keras HDF5 file whose weights replace the model's
 * @param inputShape per-sample input shape (height, width, channels) for models whose input size
 *     is not fixed (e.g. a convolutional base saved with {@code (None, None, 3)})
 * @param randomWeightsSeed when set, layers without stored weights get Keras-default random
 *     values (Glorot-uniform kernels) from this seed instead of failing: for benchmarks and tests
 * @param session the session's thread pools and graph optimizations
 * @param layers Java rebuilds of layers the registry lacks (custom layers, Lambda), by layer name or class name
 * @param limits the most a load may read from a file (config text, weight data); see {@link LoadLimits}
 * @param nonFiniteWeights whether stored weights may hold NaN or infinity; off by default, because such a
 *     model loads silently and then predicts NaN: a file's non-finite weight is refused naming the variable
 */
public record LoadOptions(@Nullable Path weights, long @Nullable [] inputShape, @Nullable Long randomWeightsSeed, SessionOptions session,
    Map<String, LayerBuilder> layers, LoadLimits limits, boolean nonFiniteWeights) {
  public LoadOptions {
    if (inputShape != null) {
      inputShape = inputShape.clone();
      for (long d : inputShape) {
        if (d <= 0) {
          throw new InvalidInputException("input shape must be positive, got " + Arrays.toString(inputShape));
        }
      }
    }
    session = session != null ? session : SessionOptions.defaults();
    layers = layers != null ? Map.copyOf(layers) : Map.of();
    limits = limits != null ? limits : LoadLimits.defaults();
  }

  public static LoadOptions defaults() {
    return new LoadOptions(null, null, null, SessionOptions.defaults(), Map.of(), LoadLimits.defaults(), false);
  }

  /**
   * Rebuilds the layer named {@code layerNameOrClass} (or every layer of that Keras class) with
   * {@code builder}: how a model with a {@code Lambda} or custom layer loads. Python code stored in
   * a file is never run.
   */
  public LoadOptions withLayer(String layerNameOrClass, LayerBuilder builder) {
    if (layerNameOrClass == null || builder == null) {
      throw new InvalidInputException("withLayer needs a layer name or class and a builder");
    }
    Map<String, LayerBuilder> m = new HashMap<>(layers);
    m.put(layerNameOrClass, builder);
    return new LoadOptions(weights, inputShape, randomWeightsSeed, session, m, limits, nonFiniteWeights);
  }

  public LoadOptions withWeights(Path file) {
    return new LoadOptions(file, inputShape, randomWeightsSeed, session, layers, limits, nonFiniteWeights);
  }

  public LoadOptions withInputShape(long height, long width, long channels) {
    return new LoadOptions(weights, new long[] {height, width, channels}, randomWeightsSeed, session, layers, limits,
        nonFiniteWeights);
  }

  public LoadOptions withRandomWeights(long seed) {
    return new LoadOptions(weights, inputShape, seed, session, layers, limits, nonFiniteWeights);
  }

  public LoadOptions withSession(SessionOptions options) {
    return new LoadOptions(weights, inputShape, randomWeightsSeed, options, layers, limits, nonFiniteWeights);
  }

  /** The most a load may read; for files from untrusted sources set them to what the service expects. */
  public LoadOptions withLimits(LoadLimits l) {
    return new LoadOptions(weights, inputShape, randomWeightsSeed, session, layers, l, nonFiniteWeights);
  }

  /** Whether a file's weights may hold NaN or infinity (e.g. to inspect a diverged training run). */
  public LoadOptions withNonFiniteWeights(boolean allowed) {
    return new LoadOptions(weights, inputShape, randomWeightsSeed, session, layers, limits, allowed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoadOptions l && java.util.Objects.equals(weights, l.weights)
        && Arrays.equals(inputShape, l.inputShape) && java.util.Objects.equals(randomWeightsSeed, l.randomWeightsSeed)
        && session.equals(l.session) && layers.equals(l.layers) && limits.equals(l.limits)
        && nonFiniteWeights == l.nonFiniteWeights;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(weights, Arrays.hashCode(inputShape), randomWeightsSeed, session, layers, limits,
        nonFiniteWeights);
  }

  @Override
  public String toString() {
    return "LoadOptions[weights=" + weights + ", inputShape=" + Arrays.toString(inputShape) + ", randomWeightsSeed="
        + randomWeightsSeed + ", session=" + session + ", layers=" + layers.keySet() + ", limits=" + limits
        + ", nonFiniteWeights=" + nonFiniteWeights + "]";
  }
}
