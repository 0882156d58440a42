package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
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
    JsonNode axis = c.config().get("axis");
    int rank = c.inputShape(0).numDimensions();
    int a = axis == null || axis.isNull() ? -1 : axis.isArray() ? (axis.size() == 1 ? axis.get(0).asInt() : 99) : axis.asInt();
    if (a != -1 && a != rank - 1) {
      throw c.unsupported("normalization over axis " + axis + " (only the last axis, channels_last, is supported)");
    }
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

  @Override
  public LayerOutput call(LayerContext c, List<Operand<TFloat32>> in, List<Operand<TFloat32>> w) {
    Ops tf = c.tf();
    boolean scale = c.bool("scale", true);
    boolean center = c.bool("center", true);
    int i = 0;
    Operand<TFloat32> gamma = scale ? w.get(i++) : null;
    Operand<TFloat32> beta = center ? w.get(i++) : null;
    Operand<TFloat32> mean = w.get(i++);
    Operand<TFloat32> variance = w.get(i);
    Operand<TFloat32> inv = tf.math.rsqrt(tf.math.add(variance, tf.constant((float) c.number("epsilon", 1e-3))));
    if (gamma != null) {
      inv = tf.math.mul(inv, gamma);
    }
    Operand<TFloat32> shift = tf.math.mul(mean, inv);
    Operand<TFloat32> offset = beta != null ? tf.math.sub(beta, shift) : tf.math.neg(shift);
    return LayerOutput.of(tf.math.add(tf.math.mul(in.get(0), inv), offset));
  }
}
