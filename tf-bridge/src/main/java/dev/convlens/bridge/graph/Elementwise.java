package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;

/** Layers that map each value on its own: Activation, ReLU, LeakyReLU, ThresholdedReLU, ELU, Softmax, Rescaling, and the
 * inference-time identities. */
final class Elementwise {
  private Elementwise() {}

  /** Numbers the graph uses as float32 constants: beyond this they would become infinities. */
  private static final double FLOAT_MAX = Float.MAX_VALUE;

  static final LayerBuilder ACTIVATION = (c, in, w) -> {
    if (!c.config().has("activation")) {
      throw c.missing("activation", "an activation name");
    }
    String act = c.activation();
    return new LayerOutput(Activations.apply(c.tf(), act, in.get(0)), in.get(0));
  };

  /** Keras ReLU: {@code max_value} cap, {@code negative_slope} below {@code threshold}; Keras refuses negative caps and slopes. */
  static final LayerBuilder RELU = (c, in, w) -> {
    Ops tf = c.tf();
    Operand<TFloat32> x = in.get(0);
    double slope = c.number("negative_slope", 0, 0, FLOAT_MAX);
    double threshold = c.number("threshold", 0, -FLOAT_MAX, FLOAT_MAX);
    Double max = c.has("max_value") ? c.number("max_value", 0, 0, FLOAT_MAX) : null;
    Operand<TFloat32> y;
    if (slope == 0 && threshold == 0) {
      // The plain forms keep TF's own kernels (and their gradients) for relu and relu6.
      y = max != null && max == 6.0 ? tf.nn.relu6(x) : tf.nn.relu(x);
      if (max != null && max != 6.0) {
        y = tf.math.minimum(y, tf.constant(max.floatValue()));
      }
    } else {
      Operand<TFloat32> t = tf.constant((float) threshold);
      Operand<TFloat32> above = tf.select(tf.math.greater(x, t), x, tf.math.mul(tf.constant((float) slope),
          tf.math.sub(x, t)));
      y = max != null ? tf.math.minimum(above, tf.constant(max.floatValue())) : above;
    }
    return LayerOutput.of(y);
  };

  static final LayerBuilder LEAKY_RELU = (c, in, w) -> {
    // Keras 2 calls the slope 'alpha', Keras 3 'negative_slope' (which must be >= 0); both default to 0.3.
    float alpha = (float) (c.has("negative_slope") ? c.number("negative_slope", 0.3, 0, FLOAT_MAX)
        : c.number("alpha", 0.3, -FLOAT_MAX, FLOAT_MAX));
    return LayerOutput.of(c.tf().nn.leakyRelu(in.get(0), LeakyRelu.alpha(alpha)));
  };

  /** Keras' ThresholdedReLU: {@code x} where {@code x > theta}, else 0. */
  static final LayerBuilder THRESHOLDED_RELU = (c, in, w) -> {
    Ops tf = c.tf();
    Operand<TFloat32> x = in.get(0);
    Operand<TFloat32> theta = tf.constant((float) c.number("theta", 1.0, -FLOAT_MAX, FLOAT_MAX));
    return LayerOutput.of(tf.select(tf.math.greater(x, theta), x, tf.zerosLike(x)));
  };

  static final LayerBuilder ELU = (c, in, w) -> {
    Ops tf = c.tf();
    float alpha = (float) c.number("alpha", 1.0, -FLOAT_MAX, FLOAT_MAX);
    Operand<TFloat32> e = tf.nn.elu(in.get(0));
    return LayerOutput.of(alpha == 1f ? e
        : tf.select(tf.math.greater(in.get(0), tf.constant(0f)), e, tf.math.mul(e, tf.constant(alpha))));
  };

  static final LayerBuilder SOFTMAX = (c, in, w) -> {
    int rank = c.inputShape(0).numDimensions();
    if (c.axis("axis", -1) != rank - 1) {
      throw c.unsupported("softmax over axis " + JsonValues.show(c.config().get("axis"))
          + " (only the last axis is supported)");
    }
    return new LayerOutput(c.tf().nn.softmax(in.get(0)), in.get(0));
  };

  /** {@code x * scale + offset} in float32; scale and offset may be per-channel lists. */
  static final LayerBuilder RESCALING = (c, in, w) -> {
    Ops tf = c.tf();
    Operand<TFloat32> scale = constant(c, "scale", 1f);
    Operand<TFloat32> offset = constant(c, "offset", 0f);
    return LayerOutput.of(tf.math.add(tf.math.mul(in.get(0), scale), offset));
  };

  /** A float32 number or a list of one per channel (or a single one). */
  private static Operand<TFloat32> constant(LayerContext c, String key, float fallback) {
    Ops tf = c.tf();
    if (!c.has(key)) {
      return tf.constant(fallback);
    }
    JsonNode v = c.config().get(key);
    if (!v.isArray()) {
      return tf.constant((float) c.number(key, fallback, -FLOAT_MAX, FLOAT_MAX));
    }
    Shape s = c.inputShape(0);
    long channels = s.numDimensions() > 1 ? s.get(s.numDimensions() - 1) : -1;
    String expected = "a number or a list of one number per channel (" + (channels < 0 ? "?" : channels) + ")";
    if (v.isEmpty() || (v.size() != 1 && channels >= 0 && v.size() != channels)) {
      throw c.badValue(key, expected);
    }
    float[] f = new float[v.size()];
    for (int i = 0; i < f.length; i++) {
      Double d = JsonValues.finite(v.get(i));
      if (d == null || Math.abs(d) > FLOAT_MAX) {
        throw c.badValue(key, expected);
      }
      f[i] = d.floatValue();
    }
    return tf.constant(f);
  }

  static final LayerBuilder IDENTITY = (c, in, w) -> LayerOutput.of(c.tf().identity(in.get(0)));

  /**
   * Dropout and its variants: the identity at inference. A rate is checked where given, as training
   * re-applies it; an absent one (never written by Keras) means nothing is dropped.
   */
  static final LayerBuilder DROPOUT = (c, in, w) -> {
    c.rate("rate", 0);
    return IDENTITY.call(c, in, w);
  };

  /** GaussianNoise: the identity at inference; a negative or non-finite stddev is refused as Keras would. */
  static final LayerBuilder NOISE = (c, in, w) -> {
    c.number("stddev", 0, 0, FLOAT_MAX);
    return IDENTITY.call(c, in, w);
  };
}
