package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.keras.Initializer;
import dev.convlens.bridge.keras.WeightSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code Normalization} preprocessing layer: {@code (x - mean) / max(sqrt(variance), 1e-7)}
 * (or its inverse with {@code invert}), mean and variance per position of the kept {@code axis},
 * from the stored weights (mean, variance, count as {@code adapt()} left them) or, when the config
 * carries them, from the config.
 */
final class Normalization implements LayerBuilder {
  private static final float EPSILON = 1e-7f; // Keras' backend.epsilon()

  @Override
  public List<WeightSpec> weights(LayerContext c) {
    if (fromConfig(c)) {
      return List.of();
    }
    long[] shape = meanShape(c);
    return List.of(
        new WeightSpec("mean", shape, false, Initializer.ZEROS),
        new WeightSpec("variance", shape, false, Initializer.ONES),
        new WeightSpec("count", new long[0], false, Initializer.ZEROS));
  }

  @Override
  public LayerOutput call(LayerContext c, List<Operand<TFloat32>> in, List<Operand<TFloat32>> w) {
    Ops tf = c.tf();
    long[] broadcast = broadcastShape(c);
    Operand<TFloat32> mean;
    Operand<TFloat32> variance;
    if (fromConfig(c)) {
      int n = (int) Arrays.stream(meanShape(c)).reduce(1, (a, b) -> a * b);
      mean = tf.constant(Shape.of(broadcast), org.tensorflow.ndarray.buffer.DataBuffers.of(values(c, "mean", n)));
      variance = tf.constant(Shape.of(broadcast), org.tensorflow.ndarray.buffer.DataBuffers.of(values(c, "variance", n)));
    } else {
      mean = tf.reshape(w.get(0), tf.constant(broadcast));
      variance = tf.reshape(w.get(1), tf.constant(broadcast));
    }
    Operand<TFloat32> std = tf.math.maximum(tf.math.sqrt(variance), tf.constant(EPSILON));
    Operand<TFloat32> x = in.get(0);
    return LayerOutput.of(c.bool("invert", false) ? tf.math.add(mean, tf.math.mul(x, std))
        : tf.math.div(tf.math.sub(x, mean), std));
  }

  private static boolean fromConfig(LayerContext c) {
    return c.has("mean") && c.has("variance");
  }

  /** The kept axes, positive and sorted; Keras' default is the last axis, null means none (one mean for all). */
  private static int[] keptAxes(LayerContext c) {
    int rank = c.inputShape(0).numDimensions();
    JsonNode axis = c.config().get("axis");
    if (axis != null && axis.isNull()) {
      return new int[0];
    }
    List<JsonNode> given = new ArrayList<>();
    if (axis == null) {
      given.add(com.fasterxml.jackson.databind.node.IntNode.valueOf(-1));
    } else if (axis.isArray()) {
      axis.forEach(given::add);
    } else {
      given.add(axis);
    }
    TreeSet<Integer> kept = new TreeSet<>();
    for (JsonNode a : given) {
      Integer v = JsonValues.exactInt(a);
      int positive = v == null ? -1 : v < 0 ? v + rank : v;
      if (positive < 1 || positive >= rank) {
        throw c.badValue("axis", "non-batch axes of a rank-" + rank + " input, or null");
      }
      kept.add(positive);
    }
    return kept.stream().mapToInt(Integer::intValue).toArray();
  }

  private static long[] meanShape(LayerContext c) {
    Shape s = c.inputShape(0);
    int[] kept = keptAxes(c);
    long[] shape = new long[kept.length];
    for (int i = 0; i < kept.length; i++) {
      shape[i] = s.get(kept[i]);
      if (shape[i] < 0) {
        throw c.invalid("needs a known size of axis " + kept[i] + " to size mean and variance, got input " + s);
      }
    }
    return shape;
  }

  private static long[] broadcastShape(LayerContext c) {
    Shape s = c.inputShape(0);
    long[] b = new long[s.numDimensions()];
    Arrays.fill(b, 1);
    for (int a : keptAxes(c)) {
      b[a] = s.get(a);
    }
    return b;
  }

  /** A config mean or variance: a scalar (broadcast) or {@code n} values. */
  private static float[] values(LayerContext c, String key, int n) {
    JsonNode v = c.config().get(key);
    float[] out = new float[n];
    List<Double> flat = new ArrayList<>();
    flatten(v, flat);
    if (flat.stream().anyMatch(d -> !Double.isFinite(d))) {
      throw c.invalid("'" + key + "' must hold finite numbers, got " + v);
    }
    if (flat.size() != n && flat.size() != 1) {
      throw c.invalid("'" + key + "' holds " + flat.size() + " values, expected 1 or " + n);
    }
    for (int i = 0; i < n; i++) {
      out[i] = flat.get(flat.size() == 1 ? 0 : i).floatValue();
    }
    return out;
  }

  private static void flatten(JsonNode v, List<Double> out) {
    if (v.isArray()) {
      v.forEach(e -> flatten(e, out));
    } else {
      Double d = JsonValues.finite(v);
      out.add(d == null ? Double.NaN : d);
    }
  }
}
