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

  /** The number of classes of the model output {@code output} (its last axis). */
  static int outputClasses(ModelGraph g, String output) {
    long[] s = g.output(output).shape().asArray();
    return (int) s[s.length - 1];
  }

  private static CamOps build(KerasModel model, GraphScope scope, String layerPath, String output,
      @Nullable String embedding) {
    Operand<TFloat32> a = scope.model().layer(layerPath).output();
    TargetOps t = TargetOps.build(scope.ops("convlens_cam"), model, output, embedding);
    Operand<TFloat32> grads = scope.gradients(t.total(), a)[0].expect(TFloat32.class);
    return new CamOps(a, t, grads);
  }

  /**
   * The score ops: {@code select [N, classes]} one-hot rows (all-zero: the top-1 class, chosen in
   * the graph so that the default needs one run), each row's score and their sum, whose gradient
   * gives every row its own gradients since samples do not mix.
   */
  record Scoring(Placeholder<TFloat32> select, Operand<TFloat32> probabilities, Operand<TFloat32> rowScores,
      Operand<TFloat32> total) {
    /** {@code logitsSource} null: score the probabilities ({@code output}). Call inside an extension builder. */
    static Scoring build(Ops cam, Operand<TFloat32> output, int classes, @Nullable Operand<TFloat32> logitsSource) {
      Operand<TFloat32> probs = cam.reshape(output, cam.constant(new long[] {-1, classes}));
      Operand<TFloat32> scores = logitsSource != null
          ? cam.reshape(logitsSource, cam.constant(new long[] {-1, classes})) : probs;
      Placeholder<TFloat32> select = cam.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, classes)));
      // stopGradient keeps argMax/oneHot out of the derivative.
      Operand<TFloat32> top = cam.oneHot(cam.math.argMax(cam.stopGradient(probs), cam.constant(1)),
          cam.constant(classes), cam.constant(1f), cam.constant(0f));
      Operand<TFloat32> chosen = cam.math.sign(cam.reduceSum(select, cam.constant(1), ReduceSum.keepDims(true)));
      Operand<TFloat32> oneHot = cam.math.add(select, cam.math.mul(cam.math.sub(cam.constant(1f), chosen), top));
      Operand<TFloat32> rowScores = cam.reduceSum(cam.math.mul(oneHot, scores), cam.constant(1));
      return new Scoring(select, probs, rowScores, cam.reduceSum(rowScores, cam.constant(0)));
    }
  }
}
