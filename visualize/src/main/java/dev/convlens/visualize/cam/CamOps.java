package dev.convlens.visualize.cam;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import dev.convlens.bridge.spi.ModelGraph;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * The TF ops of one (model, target layer, model output, embedding layer): the target activation
 * {@code A [N,H,W,K]}, the {@link TargetOps} score of each row, and {@code d(sum of scores)/dA}.
 * A model extension: built once per model, layer, output and embedding, under the model's write
 * lock, and freed with the model. Gradient-free methods use its scores and never run the gradient.
 */
record CamOps(Operand<TFloat32> activations, TargetOps targets, Operand<TFloat32> gradients) {

  /** The ops for {@code layerPath}, the model output {@code output} and {@code embedding} (null: the output), built on first use. */
  static CamOps of(KerasModel model, String layerPath, String output, @Nullable String embedding) {
    ModelGraph g = model.graph();
    return g.extension(ExtensionKey.of(CamOps.class, layerPath, output, String.valueOf(embedding)),
        scope -> build(model, scope, layerPath, output, embedding));
  }

  private static CamOps build(KerasModel model, GraphScope scope, String layerPath, String output,
      @Nullable String embedding) {
    Operand<TFloat32> a = scope.model().layer(layerPath).output();
    TargetOps t = TargetOps.build(scope.ops("convlens_cam"), model, output, embedding);
    Operand<TFloat32> grads = scope.gradients(t.total(), a)[0].expect(TFloat32.class);
    return new CamOps(a, t, grads);
  }
}
