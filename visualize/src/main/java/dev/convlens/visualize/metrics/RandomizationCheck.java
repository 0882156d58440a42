package dev.convlens.visualize.metrics;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.spi.ModelGraph;
import dev.convlens.bridge.spi.ModelVariable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.jspecify.annotations.Nullable;

/**
 * The model-randomization sanity check (Adebayo et al., "Sanity Checks for Saliency Maps",
 * NeurIPS 2018): the map of the trained model against the map of the same model with its top
 * layers re-initialised, cascading from the output down, by Spearman rank correlation. A map that
 * explains the model must change when the weights it comes from are destroyed.
 *
 * <p>The caller's model is never touched: the check loads a copy of it with its current weights
 * ({@code withConfig}) and one with fresh random weights ({@code LoadOptions.withRandomWeights}),
 * and moves the random values of one layer at a time into the copy ({@code assignVariables}).
 * Re-initialised means drawn from each weight's own Keras initializer, as Keras would start the
 * layer (Glorot uniform kernels, zero biases, batch normalization back to 1, 0, 0, 1...): that is
 * what the paper does, it needs no assumption about the trained values, and it keeps the layer's
 * scale as designed, so activations neither vanish nor explode for reasons of their own. Both
 * copies are closed before returning. Cost: two model loads (with random initialization of every
 * weight) plus {@code layers + 1} calls of the map function.
 */
public final class RandomizationCheck {
  private RandomizationCheck() {}

  /** The cascade for {@code method} on {@code image [H, W, C]} and {@code classIndex}. */
  public static RandomizationResult run(KerasModel model, FloatTensor image, int classIndex, MapFunction method,
      RandomizationOptions options) {
    InvalidInputException.requireNonNull(model, "randomization check: model");
    InvalidInputException.requireNonNull(method, "randomization check: map function");
    InvalidInputException.requireNonNull(options, "randomization check: options");
    List<String> top = topLayers(model.graph(), options.layers(), model.name());
    options.cancellation().check();
    FloatTensor original = checkedMap(method.map(model, image, classIndex), null);
    LoadOptions load = sameInput(model);
    List<Double> correlations = new ArrayList<>();
    List<FloatTensor> maps = new ArrayList<>();
    try (KerasModel copy = model.withConfig(model.config(), load);
        KerasModel fresh = KerasModel.fromConfig(model.config(), load.withRandomWeights(options.seed()))) {
      ModelGraph target = copy.graph();
      Map<String, ModelVariable> byName = new LinkedHashMap<>();
      target.variables().forEach(v -> byName.put(v.name(), v));
      for (String layer : top) {
        List<ModelVariable> source = fresh.graph().variables().stream().filter(v -> v.layer().equals(layer)).toList();
        Map<ModelVariable, FloatTensor> values = new LinkedHashMap<>();
        fresh.graph().readVariables(source).forEach((v, value) ->
            values.put(Objects.requireNonNull(byName.get(v.name()), v.name()), value));
        target.assignVariables(values);
        options.cancellation().check();
        FloatTensor m = checkedMap(method.map(copy, image, classIndex), original);
        maps.add(m);
        correlations.add(spearman(original.data(), m.data()));
      }
    }
    return new RandomizationResult(top, correlations.stream().mapToDouble(Double::doubleValue).toArray(), original, maps);
  }

  /** The names of the last {@code k} layers that own variables, output first. */
  static List<String> topLayers(ModelGraph graph, int k, String modelName) {
    List<String> layers = new ArrayList<>();
    for (ModelVariable v : graph.variables()) {
      if (!layers.contains(v.layer())) {
        layers.add(v.layer());
      }
    }
    if (layers.size() < k) {
      throw new InvalidInputException("randomization check: model '" + modelName + "' has " + layers.size()
          + " layers with weights, asked to re-initialise " + k);
    }
    List<String> out = new ArrayList<>(layers.subList(layers.size() - k, layers.size()));
    java.util.Collections.reverse(out);
    return out;
  }

  /** Spearman's rho with average ranks for ties; NaN when either side is constant. */
  static double spearman(float[] a, float[] b) {
    double[] x = new double[a.length];
    double[] y = new double[b.length];
    for (int i = 0; i < a.length; i++) {
      x[i] = a[i];
      y[i] = b[i];
    }
    if (constant(x) || constant(y)) {
      return Double.NaN;
    }
    return new SpearmansCorrelation().correlation(x, y);
  }

  private static boolean constant(double[] v) {
    return Arrays.stream(v).allMatch(d -> d == v[0]);
  }

  private static FloatTensor checkedMap(@Nullable FloatTensor map, @Nullable FloatTensor like) {
    if (map == null) {
      throw new InvalidInputException("randomization check: the map function returned null");
    }
    if (map.data().length < 2) {
      throw new InvalidInputException("randomization check: a map needs at least two values to rank, got shape "
          + Arrays.toString(map.shape()));
    }
    if (like != null && !Arrays.equals(map.shape(), like.shape())) {
      throw new InvalidInputException("randomization check: the map of the randomized model has shape "
          + Arrays.toString(map.shape()) + ", the original's " + Arrays.toString(like.shape()));
    }
    return map;
  }

  /** Load options that give the copies the caller's input size (which the config may leave open). */
  private static LoadOptions sameInput(KerasModel model) {
    long[] s = model.inputShape();
    if (s.length == 4 && s[1] > 0 && s[2] > 0 && s[3] > 0) {
      return LoadOptions.defaults().withInputShape(s[1], s[2], s[3]);
    }
    return LoadOptions.defaults();
  }
}
