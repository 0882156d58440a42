package dev.convlens.visualize.metrics;

import dev.convlens.bridge.FloatTensor;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The model-randomization check of one method on one image: {@code layers} are the re-initialised
 * layers, output first; {@code correlations[i]} is the Spearman rank correlation between the map of
 * the trained model and the map with {@code layers[0..i]} re-initialised (NaN when either map is
 * constant, e.g. a CAM whose ReLU leaves nothing); {@code randomizedMaps[i]} is that map. A method
 * whose correlation stays near 1 does not depend on those weights. Immutable.
 */
public record RandomizationResult(List<String> layers, double[] correlations, FloatTensor originalMap,
    List<FloatTensor> randomizedMaps) {
  public RandomizationResult {
    layers = List.copyOf(layers);
    correlations = correlations.clone();
    randomizedMaps = List.copyOf(randomizedMaps);
  }

  @Override
  public double[] correlations() {
    return correlations.clone();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RandomizationResult r && layers.equals(r.layers) && Arrays.equals(correlations, r.correlations)
        && originalMap.equals(r.originalMap) && randomizedMaps.equals(r.randomizedMaps);
  }

  @Override
  public int hashCode() {
    return 31 * layers.hashCode() + Arrays.hashCode(correlations);
  }

  @Override
  public String toString() {
    return "RandomizationResult[layers=" + layers + ", correlations=" + Arrays.toString(correlations) + "]";
  }
}
