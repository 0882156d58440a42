package dev.convlens.visualize.filters;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The graph ops of whole-layer filter visualization for one (model, layer, activation side): a
 * model extension, built once under the model's write lock and freed with the model.
 *
 * <p>For a batch of K images and a fed one-hot selection matrix {@code S [K, C]} (row i selects
 * image i's filter), {@code loss[i] = sum_c mean_{h,w}(act[i, :, :, c]) * S[i, c]}, the mean of
 * image i's own filter. The gradient of {@code sum_i loss[i]} wrt the input batch is, for image i,
 * exactly the gradient of {@code loss[i]}: the images of a batch do not interact in a convnet in
 * inference mode. So one run gives every image the gradient of its own filter.
 *
 * @param selection the one-hot selection placeholder {@code [K, C]}
 * @param loss per-image losses {@code [K]}
 * @param gradient d(sum of losses)/d(input), {@code [K, H, W, C_in]}
 */
record LayerGradient(Placeholder<TFloat32> selection, Operand<TFloat32> loss, Operand<TFloat32> gradient) {
  /** The ops for {@code layerPath} (its output, or its value before the activation), built on first use. */
  static LayerGradient of(KerasModel model, String layerPath, boolean preActivation) {
    ModelGraph g = model.graph();
    return g.extension(ExtensionKey.of(LayerGradient.class, layerPath, preActivation),
        scope -> build(scope, layerPath, preActivation));
  }

  private static LayerGradient build(GraphScope scope, String layerPath, boolean preActivation) {
    ModelGraph g = scope.model();
    LayerHandle layer = g.layer(layerPath);
    Operand<TFloat32> act = preActivation ? layer.preActivation() : layer.output();
    long channels = layer.outputShape()[3];
    Ops tf = scope.ops("filter_visualization_" + layerPath);
    Placeholder<TFloat32> selection = tf.withName("selection")
        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, channels)));
    Operand<TFloat32> perChannel = tf.math.mean(act, tf.constant(new int[] {1, 2}));
    Operand<TFloat32> loss = tf.withName("loss").sum(tf.math.mul(perChannel, selection), tf.constant(new int[] {1}));
    // The gradient of the sum of the [K] losses: the per-image gradients above.
    Operand<TFloat32> gradient = scope.gradients(loss, g.input())[0].expect(TFloat32.class);
    return new LayerGradient(selection, loss, gradient);
  }
}
