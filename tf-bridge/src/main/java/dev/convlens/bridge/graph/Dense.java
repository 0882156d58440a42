package dev.convlens.bridge.graph;

import dev.convlens.bridge.keras.Initializer;
import dev.convlens.bridge.keras.WeightSpec;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Dense: {@code x @ kernel[in, units] + bias}, on the last axis for inputs of any rank, as Keras does. */
final class Dense implements LayerBuilder {
  @Override
  public List<WeightSpec> weights(LayerContext c) {
    c.activation();
    long units = c.positiveInt("units");
    List<WeightSpec> w = new ArrayList<>();
    w.add(c.weight("kernel", new long[] {c.inputChannels(), units}, true, "kernel_initializer", Initializer.GLOROT_UNIFORM));
    if (c.bool("use_bias", true)) {
      w.add(c.weight("bias", new long[] {units}, true, "bias_initializer", Initializer.ZEROS));
    }
    return w;
  }

  @Override
  public LayerOutput call(LayerContext c, List<Operand<TFloat32>> in, List<Operand<TFloat32>> w) {
    Ops tf = c.tf();
    Operand<TFloat32> x = in.get(0);
    Shape s = c.inputShape(0);
    long units = c.positiveInt("units");
    Operand<TFloat32> y;
    if (s.numDimensions() == 2) {
      y = tf.linalg.matMul(x, w.get(0));
    } else {
      // Rank > 2: flatten the leading axes, multiply, restore them (static inner shape required).
      long[] outer = new long[s.numDimensions()];
      for (int i = 1; i < s.numDimensions() - 1; i++) {
        if (s.get(i) < 0) {
          throw c.invalid("Dense on a rank-" + s.numDimensions() + " input needs known inner sizes, got " + s);
        }
        outer[i] = s.get(i);
      }
      outer[0] = -1;
      outer[s.numDimensions() - 1] = units;
      Operand<TFloat32> flat = tf.reshape(x, tf.constant(new long[] {-1, c.inputChannels()}));
      y = tf.reshape(tf.linalg.matMul(flat, w.get(0)), tf.constant(outer));
    }
    Operand<TFloat32> pre = w.size() > 1 ? tf.nn.biasAdd(y, w.get(1)) : y;
    return new LayerOutput(Activations.apply(tf, c.activation(), pre), pre);
  }
}
