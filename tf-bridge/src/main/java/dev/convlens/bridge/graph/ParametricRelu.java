package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.keras.Initializer;
import dev.convlens.bridge.keras.WeightSpec;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code PReLU}: {@code relu(x) - alpha * relu(-x)}, alpha per position except along {@code shared_axes}. */
final class ParametricRelu implements LayerBuilder {
  @Override
  public List<WeightSpec> weights(LayerContext c) {
    Shape s = c.inputShape(0);
    long[] shape = new long[s.numDimensions() - 1];
    for (int i = 1; i < s.numDimensions(); i++) {
      shape[i - 1] = s.get(i);
    }
    JsonNode shared = c.config().get("shared_axes");
    if (shared != null && !shared.isNull()) {
      String expected = "non-batch axes 1.." + (s.numDimensions() - 1);
      for (JsonNode a : shared.isArray() ? shared : List.of(shared)) {
        Integer axis = JsonValues.exactInt(a);
        if (axis == null || axis < 1 || axis >= s.numDimensions()) {
          throw c.badValue("shared_axes", expected);
        }
        shape[axis - 1] = 1;
      }
    }
    for (long d : shape) {
      if (d < 0) {
        throw c.invalid("needs a known input shape to size alpha (or shared_axes over the unknown axes), got " + s);
      }
    }
    return List.of(c.weight("alpha", shape, true, "alpha_initializer", Initializer.ZEROS));
  }

  @Override
  public LayerOutput call(LayerContext c, List<Operand<TFloat32>> in, List<Operand<TFloat32>> w) {
    Ops tf = c.tf();
    Operand<TFloat32> x = in.get(0);
    return LayerOutput.of(tf.math.sub(tf.nn.relu(x), tf.math.mul(w.get(0), tf.nn.relu(tf.math.neg(x)))));
  }
}
