package dev.convlens.visualize.attribution;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * The TF ops of one single-output model: {@code select [N, classes]} one-hot rows (an all-zero row:
 * that sample's top-1 class, chosen in the graph), the output probabilities, each row's selected
 * pre-activation logit, and the gradient of their sum with respect to the model input (samples do
 * not mix, so every row gets its own gradient). A model extension, built once per model.
 */
record InputOps(Placeholder<TFloat32> select, Operand<TFloat32> probabilities, Operand<TFloat32> logits,
    Operand<TFloat32> inputGradient, int classes) {

  static InputOps of(KerasModel model) {
    if (model.inputNames().size() != 1 || model.outputNames().size() != 1) {
      throw new InvalidInputException("input attribution needs a model with one input and one output; model '"
          + model.name() + "' has inputs " + model.inputNames() + " and outputs " + model.outputNames());
    }
    return model.graph().extension(ExtensionKey.of(InputOps.class), scope -> build(model, scope));
  }

  private static InputOps build(KerasModel model, GraphScope scope) {
    ModelGraph g = scope.model();
    Operand<TFloat32> output = g.output();
    long[] s = output.shape().asArray();
    int classes = (int) s[s.length - 1];
    Ops tf = scope.ops("convlens_input_attribution");
    Operand<TFloat32> probs = tf.reshape(output, tf.constant(new long[] {-1, classes}));
    Operand<TFloat32> scores = tf.reshape(logitsLayer(model).preActivation(), tf.constant(new long[] {-1, classes}));
    Placeholder<TFloat32> select = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, classes)));
    // stopGradient keeps argMax/oneHot out of the derivative.
    Operand<TFloat32> top = tf.oneHot(tf.math.argMax(tf.stopGradient(probs), tf.constant(1)),
        tf.constant(classes), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> chosen = tf.math.sign(tf.reduceSum(select, tf.constant(1), ReduceSum.keepDims(true)));
    Operand<TFloat32> oneHot = tf.math.add(select, tf.math.mul(tf.math.sub(tf.constant(1f), chosen), top));
    Operand<TFloat32> rowScores = tf.reduceSum(tf.math.mul(oneHot, scores), tf.constant(1));
    Operand<TFloat32> total = tf.reduceSum(rowScores, tf.constant(0));
    Operand<TFloat32> grad = scope.gradients(total, g.input())[0].expect(TFloat32.class);
    return new InputOps(select, probs, rowScores, grad, classes);
  }

  /**
   * The class scores before the final softmax or sigmoid, found as the CAM package's {@code
   * TargetLayers.logitsLayer} does: from the output layer back through reshape-only layers, then
   * that layer's pre-activation tensor.
   */
  private static LayerHandle logitsLayer(KerasModel model) {
    ModelGraph g = model.graph();
    String out = g.output().op().name();
    List<LayerInfo> layers = model.layers();
    LayerHandle h = null;
    for (int i = layers.size() - 1; i >= 0 && h == null; i--) {
      LayerHandle l = g.layer(layers.get(i).path());
      h = l.output().op().name().equals(out) ? l : null;
    }
    if (h == null) {
      throw new IllegalStateException("model '" + model.name() + "': no layer produces the output " + out);
    }
    while (h.is(LayerTrait.SHAPE_ONLY) && h.inbound().size() == 1) {
      String path = h.path();
      int slash = path.lastIndexOf('/');
      h = g.layer((slash < 0 ? "" : path.substring(0, slash + 1)) + h.inbound().get(0));
    }
    return h;
  }
}
