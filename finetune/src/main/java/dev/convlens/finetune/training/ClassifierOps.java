package dev.convlens.finetune.training;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The ops a classifier adds to its model's graph, once per model and head (a model extension): a
 * labels placeholder, the training forward path (the loader builds Dropout as the identity, so
 * training calls the output layer again on the Dropout's input times a dropout mask fed from Java,
 * sharing its variables), the per-sample training loss and probabilities, and the inference-mode
 * loss for evaluation.
 */
final class ClassifierOps {
  final Placeholder<TFloat32> labels;
  /** Keep mask (0 or {@code 1/(1-rate)}) for the head's Dropout, {@code [N, ...]}; null without dropout. */
  final @Nullable Placeholder<TFloat32> mask;
  /** Mask values per sample. */
  final long maskWidth;
  /** Per-sample loss {@code [N]} of the training path; null when the output has no reachable logits. */
  final @Nullable Operand<TFloat32> trainLoss;
  final @Nullable Operand<TFloat32> trainMeanLoss;
  final @Nullable Operand<TFloat32> trainProbabilities;
  final Operand<TFloat32> evalLoss;
  final Operand<TFloat32> evalProbabilities;

  private ClassifierOps(Placeholder<TFloat32> labels, @Nullable Placeholder<TFloat32> mask, long maskWidth,
      @Nullable Operand<TFloat32> trainLoss, @Nullable Operand<TFloat32> trainMeanLoss, @Nullable Operand<TFloat32> trainProbabilities,
      Operand<TFloat32> evalLoss, Operand<TFloat32> evalProbabilities) {
    this.labels = labels;
    this.mask = mask;
    this.maskWidth = maskWidth;
    this.trainLoss = trainLoss;
    this.trainMeanLoss = trainMeanLoss;
    this.trainProbabilities = trainProbabilities;
    this.evalLoss = evalLoss;
    this.evalProbabilities = evalProbabilities;
  }

  /** The ops of {@code head} in {@code model}, built on first use and shared by every later call. */
  static ClassifierOps of(KerasModel model, HeadLayers head) {
    return model.graph().extension(ExtensionKey.of(ClassifierOps.class, head), scope -> build(scope, head));
  }

  private static ClassifierOps build(GraphScope scope, HeadLayers head) {
    ModelGraph model = scope.model();
    Ops tf = scope.ops("convlens_training");
    Placeholder<TFloat32> labels = tf.withName("labels").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, head.outputs())));
    LayerHandle out = model.layer(head.output());
    Operand<TFloat32> evalProbabilities = model.output();
    Operand<TFloat32> evalLoss;
    if (head.hasLogits()) {
      evalLoss = fromLogits(tf, out.preActivation(), labels, head.binary());
    } else {
      evalLoss = head.binary() ? LossOps.binaryFromProbabilities(tf, evalProbabilities, labels)
          : LossOps.categoricalFromProbabilities(tf, evalProbabilities, labels);
    }
    if (!head.hasLogits()) {
      return new ClassifierOps(labels, null, 0, null, null, null, evalLoss, evalProbabilities);
    }
    Placeholder<TFloat32> mask = null;
    long width = 0;
    Operand<TFloat32> logits = out.preActivation();
    if (head.dropout() != null) {
      Operand<TFloat32> x = model.layer(Objects.requireNonNull(head.dropoutInput())).output();
      Shape sample = x.shape().tail();
      if (sample.hasUnknownDimension()) {
        throw new InvalidInputException("the Dropout before output layer '" + head.output()
            + "' can only be trained on an input of known size, got " + x.shape());
      }
      width = sample.size();
      long[] maskShape = x.shape().asArray().clone();
      maskShape[0] = -1;
      mask = tf.withName("dropout_mask").placeholder(TFloat32.class, Placeholder.shape(Shape.of(maskShape)));
      logits = scope.callLayer(head.output(), tf, List.of(tf.math.mul(x, mask))).preActivation();
    }
    Operand<TFloat32> trainLoss = fromLogits(tf, logits, labels, head.binary());
    Operand<TFloat32> mean = tf.withName("loss").math.mean(trainLoss, tf.constant(0));
    Operand<TFloat32> probabilities = head.binary() ? tf.math.sigmoid(logits) : tf.nn.softmax(logits);
    return new ClassifierOps(labels, mask, width, trainLoss, mean, probabilities, evalLoss, evalProbabilities);
  }

  private static Operand<TFloat32> fromLogits(Ops tf, Operand<TFloat32> z, Operand<TFloat32> y, boolean binary) {
    return binary ? LossOps.binaryFromLogits(tf, z, y) : LossOps.categoricalFromLogits(tf, z, y);
  }
}
