package dev.convlens.bridge.graph;

import java.util.List;
import java.util.function.BinaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Add, Subtract, Multiply, Average, Maximum, Minimum and Concatenate over several inputs. */
final class Merging {
  private Merging() {}

  private static LayerBuilder fold(java.util.function.Function<Ops, BinaryOperator<Operand<TFloat32>>> op) {
    return (c, in, w) -> {
      if (in.size() < 2) {
        throw c.invalid("a merge layer needs at least 2 inputs, got " + in.size());
      }
      BinaryOperator<Operand<TFloat32>> f = op.apply(c.tf());
      Operand<TFloat32> acc = in.get(0);
      for (int i = 1; i < in.size(); i++) {
        acc = f.apply(acc, in.get(i));
      }
      return LayerOutput.of(acc);
    };
  }

  static final LayerBuilder ADD = fold(tf -> (a, b) -> tf.math.add(a, b));
  static final LayerBuilder MULTIPLY = fold(tf -> (a, b) -> tf.math.mul(a, b));
  static final LayerBuilder MAXIMUM = fold(tf -> (a, b) -> tf.math.maximum(a, b));
  static final LayerBuilder MINIMUM = fold(tf -> (a, b) -> tf.math.minimum(a, b));

  static final LayerBuilder SUBTRACT = (c, in, w) -> {
    if (in.size() != 2) {
      throw c.invalid("Subtract needs exactly 2 inputs, got " + in.size());
    }
    return LayerOutput.of(c.tf().math.sub(in.get(0), in.get(1)));
  };

  static final LayerBuilder AVERAGE = (c, in, w) -> {
    Operand<TFloat32> sum = ADD.call(c, in, w).output();
    return LayerOutput.of(c.tf().math.div(sum, c.tf().constant((float) in.size())));
  };

  /** Concatenate along one non-batch axis: the inputs must agree on rank and on every other known size. */
  static final LayerBuilder CONCATENATE = (c, in, w) -> {
    int axis = c.axis("axis", -1);
    Shape first = c.inputShape(0);
    for (int i = 1; i < c.inputCount(); i++) {
      Shape s = c.inputShape(i);
      boolean fits = s.numDimensions() == first.numDimensions();
      for (int d = 1; fits && d < s.numDimensions(); d++) {
        fits = d == axis || s.get(d) < 0 || first.get(d) < 0 || s.get(d) == first.get(d);
      }
      if (!fits) {
        throw c.invalid("cannot concatenate inputs of shapes " + first + " and " + s + " along axis " + axis);
      }
    }
    return LayerOutput.of(c.tf().concat(in, c.tf().constant(axis)));
  };
}
