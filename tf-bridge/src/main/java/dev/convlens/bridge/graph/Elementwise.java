package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;

/** Layers that map each value on its own: Activation, ReLU, LeakyReLU, ThresholdedReLU, ELU, Softmax, Rescaling. */
final class Elementwise {
  private Elementwise() {}

  static final LayerBuilder ACTIVATION = (c, in, w) -> {
    String act = Activations.name(c.config().get("activation"));
    if (!Activations.isKnown(act)) {
      throw c.unsupported("activation '" + act + "'");
    }
    return new LayerOutput(Activations.apply(c.tf(), act, in.get(0)), in.get(0));
  };

  /** Keras ReLU: {@code max_value} cap, {@code negative_slope} below {@code threshold}. */
  static final LayerBuilder RELU = (c, in, w) -> {
    Ops tf = c.tf();
    Operand<TFloat32> x = in.get(0);
    double slope = c.number("negative_slope", 0);
    double threshold = c.number("threshold", 0);
    Double max = c.has("max_value") ? c.number("max_value", 0) : null;
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
    // Keras 2 calls the slope 'alpha', Keras 3 'negative_slope'; both default to 0.3.
    float alpha = (float) c.number("negative_slope", c.number("alpha", 0.3));
    return LayerOutput.of(c.tf().nn.leakyRelu(in.get(0), LeakyRelu.alpha(alpha)));
  };

  /** Keras' ThresholdedReLU: {@code x} where {@code x > theta}, else 0. */
  static final LayerBuilder THRESHOLDED_RELU = (c, in, w) -> {
    Ops tf = c.tf();
    Operand<TFloat32> x = in.get(0);
    Operand<TFloat32> theta = tf.constant((float) c.number("theta", 1.0));
    return LayerOutput.of(tf.select(tf.math.greater(x, theta), x, tf.zerosLike(x)));
  };

  static final LayerBuilder ELU = (c, in, w) -> {
    Ops tf = c.tf();
    float alpha = (float) c.number("alpha", 1.0);
    Operand<TFloat32> e = tf.nn.elu(in.get(0));
    return LayerOutput.of(alpha == 1f ? e
        : tf.select(tf.math.greater(in.get(0), tf.constant(0f)), e, tf.math.mul(e, tf.constant(alpha))));
  };

  static final LayerBuilder SOFTMAX = (c, in, w) -> {
    JsonNode axis = c.config().get("axis");
    int a = axis == null || axis.isNull() ? -1 : axis.isArray() ? axis.get(0).asInt() : axis.asInt();
    int rank = c.inputShape(0).numDimensions();
    if (a != -1 && a != rank - 1) {
      throw c.unsupported("softmax over axis " + a + " (only the last axis is supported)");
    }
    return new LayerOutput(c.tf().nn.softmax(in.get(0)), in.get(0));
  };

  /** {@code x * scale + offset} in float32; scale and offset may be per-channel lists. */
  static final LayerBuilder RESCALING = (c, in, w) -> {
    Ops tf = c.tf();
    return LayerOutput.of(tf.math.add(tf.math.mul(in.get(0), constant(tf, c.config().get("scale"), 1f)),
        constant(tf, c.config().get("offset"), 0f)));
  };

  private static Operand<TFloat32> constant(Ops tf, JsonNode v, float fallback) {
    if (v == null || v.isNull()) {
      return tf.constant(fallback);
    }
    if (v.isArray()) {
      float[] f = new float[v.size()];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) v.get(i).asDouble();
      }
      return tf.constant(f);
    }
    return tf.constant((float) v.asDouble());
  }

  static final LayerBuilder IDENTITY = (c, in, w) -> LayerOutput.of(c.tf().identity(in.get(0)));
}
