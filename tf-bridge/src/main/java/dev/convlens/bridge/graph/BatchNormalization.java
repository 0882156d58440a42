package dev.convlens.bridge.graph;

import dev.convlens.bridge.keras.Initializer;
import dev.convlens.bridge.keras.WeightSpec;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * BatchNormalization in inference mode, {@code (x - mean) / sqrt(var + eps) * gamma + beta}, written
 * as tf.nn.batch_normalization does: {@code x * inv + (beta - mean * inv)}, eps rounded to float32.
 */
final class BatchNormalization implements LayerBuilder {
  @Override
  public List<WeightSpec> weights(LayerContext c) {
    check(c);
    long ch = c.inputChannels();
    List<WeightSpec> w = new ArrayList<>();
    if (c.bool("scale", true)) {
      w.add(c.weight("gamma", new long[] {ch}, true, "gamma_initializer", Initializer.ONES));
    }
    if (c.bool("center", true)) {
      w.add(c.weight("beta", new long[] {ch}, true, "beta_initializer", Initializer.ZEROS));
    }
    w.add(c.weight("moving_mean", new long[] {ch}, false, "moving_mean_initializer", Initializer.ZEROS));
    w.add(c.weight("moving_variance", new long[] {ch}, false, "moving_variance_initializer", Initializer.ONES));
    return w;
  }

  /** Reads every field the layer uses, so a bad one fails before the weights are sized. */
  private static void check(LayerContext c) {
    int rank = c.inputShape(0).numDimensions();
    int axis = c.axis("axis", -1);
    if (axis != rank - 1) {
      throw c.unsupported("normalization over axis " + JsonValues.show(c.config().get("axis"))
          + " (only the last axis, channels_last, is supported)");
    }
    epsilon(c);
    c.number("momentum", 0.99, 0, 1);
    c.bool("scale", true);
    c.bool("center", true);
  }

  @Override
  public LayerOutput call(LayerContext c, List<Operand<TFloat32>> in, List<Operand<TFloat32>> w) {
    check(c);
    Ops tf = c.tf();
    boolean scale = c.bool("scale", true);
    boolean center = c.bool("center", true);
    int i = 0;
    Operand<TFloat32> gamma = scale ? w.get(i++) : null;
    Operand<TFloat32> beta = center ? w.get(i++) : null;
    Operand<TFloat32> mean = w.get(i++);
    Operand<TFloat32> variance = w.get(i);
    Operand<TFloat32> inv = tf.math.rsqrt(tf.math.add(variance, tf.constant(epsilon(c))));
    if (gamma != null) {
      inv = tf.math.mul(inv, gamma);
    }
    Operand<TFloat32> shift = tf.math.mul(mean, inv);
    Operand<TFloat32> offset = beta != null ? tf.math.sub(beta, shift) : tf.math.neg(shift);
    return LayerOutput.of(tf.math.add(tf.math.mul(in.get(0), inv), offset));
  }

  /** Epsilon as the float32 the graph adds; one below float32's range would round to 0 and divide by zero. */
  private static float epsilon(LayerContext c) {
    float eps = (float) c.positiveNumber("epsilon", 1e-3);
    if (eps == 0f || Float.isInfinite(eps)) {
      throw c.badValue("epsilon", "a number > 0 within float32 range");
    }
    return eps;
  }
}
