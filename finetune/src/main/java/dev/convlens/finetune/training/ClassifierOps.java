package dev.convlens.finetune.training;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelVariable;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The ops a classifier adds to its model's graph once: a labels placeholder, the training forward
 * path (the loader builds Dropout as the identity, so training re-applies the output Dense to the
 * Dropout's input times a dropout mask fed from Java, sharing the output layer's variables), the
 * per-sample training loss and probabilities, and the inference-mode loss for evaluation.
 */
final class ClassifierOps {
  final Placeholder<TFloat32> labels;
  /** Keep mask (0 or {@code 1/(1-rate)}) for the head's Dropout, {@code [N, width]}; null without dropout. */
  final Placeholder<TFloat32> mask;
  final long maskWidth;
  /** Per-sample loss {@code [N]} of the training path; null when the output has no reachable logits. */
  final Operand<TFloat32> trainLoss;
  final Operand<TFloat32> trainMeanLoss;
  final Operand<TFloat32> trainProbabilities;
  final Operand<TFloat32> evalLoss;
  final Operand<TFloat32> evalProbabilities;

  private ClassifierOps(Placeholder<TFloat32> labels, Placeholder<TFloat32> mask, long maskWidth,
      Operand<TFloat32> trainLoss, Operand<TFloat32> trainMeanLoss, Operand<TFloat32> trainProbabilities,
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

  static ClassifierOps build(KerasModel model, HeadLayers head) {
    return model.extendGraph(root -> {
      Ops tf = root.withSubScope("convlens_training");
      Placeholder<TFloat32> labels = tf.withName("labels").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, head.outputs())));
      LayerHandle out = model.handle(head.output());
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
        Operand<TFloat32> x = model.handle(head.dropoutInput()).output();
        if (!out.className().equals("Dense") || x.shape().numDimensions() != 2 || out.variables().size() != 2) {
          throw new InvalidInputException("the Dropout before output layer '" + head.output()
              + "' can only be trained when the output is a Dense layer with a bias on a [batch, features] input");
        }
        width = x.shape().get(1);
        mask = tf.withName("dropout_mask").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, width)));
        List<ModelVariable> w = out.variables();
        logits = tf.nn.biasAdd(tf.linalg.matMul(tf.math.mul(x, mask), w.get(0).variable()), w.get(1).variable());
      }
      Operand<TFloat32> trainLoss = fromLogits(tf, logits, labels, head.binary());
      Operand<TFloat32> mean = tf.withName("loss").math.mean(trainLoss, tf.constant(0));
      Operand<TFloat32> probabilities = head.binary() ? tf.math.sigmoid(logits) : tf.nn.softmax(logits);
      return new ClassifierOps(labels, mask, width, trainLoss, mean, probabilities, evalLoss, evalProbabilities);
    });
  }

  private static Operand<TFloat32> fromLogits(Ops tf, Operand<TFloat32> z, Operand<TFloat32> y, boolean binary) {
    return binary ? LossOps.binaryFromLogits(tf, z, y) : LossOps.categoricalFromLogits(tf, z, y);
  }

  /** The gradient and update ops of one phase: gradients of the mean training loss for {@code vars} only. */
  OptimizerOps phase(KerasModel model, List<ModelVariable> vars, Optimizer optimizer, String prefix) {
    return model.extendGraph(tf -> {
      Output<?>[] xs = vars.stream().map(v -> v.variable().asOutput()).toArray(Output<?>[]::new);
      Output<?>[] grads = model.graph().addGradients(trainMeanLoss.asOutput(), xs);
      for (int i = 0; i < grads.length; i++) {
        if (grads[i] == null) {
          throw new InvalidInputException("weight '" + vars.get(i).name() + "' does not affect the loss; it cannot be trained");
        }
      }
      List<Variable<TFloat32>> variables = vars.stream().map(ModelVariable::variable).toList();
      return OptimizerOps.build(tf, optimizer, prefix, variables, List.of(grads));
    });
  }
}
