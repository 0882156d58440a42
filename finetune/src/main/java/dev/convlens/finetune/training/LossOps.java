package dev.convlens.finetune.training;

import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Losses;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Per-sample crossentropy {@code [N]} as graph ops, from tensorflow-framework's {@link Losses},
 * which computes what Keras 2 computes (checked against hand-derived numbers in {@code LossOpsTest}):
 * from logits with TF's {@code sigmoid_cross_entropy_with_logits} (the select form, whose gradient at
 * a zero logit is {@code sigmoid(0) - y}) and the fused {@code SoftmaxCrossEntropyWithLogits}, which
 * Keras uses in graph mode for a sigmoid/softmax output; from probabilities with Keras' epsilon
 * ({@code 1e-7}) clipping, for models whose logits are not reachable. No label smoothing.
 */
final class LossOps {
  private LossOps() {}

  /** {@code [N, 1]} logits, 0/1 labels: {@code max(z, 0) - z y + log(1 + exp(-|z|))}, mean over the last axis. */
  static Operand<TFloat32> binaryFromLogits(Ops tf, Operand<TFloat32> z, Operand<TFloat32> y) {
    return Losses.binaryCrossentropy(tf, y, z, true, 0f);
  }

  /** {@code [N, K]} logits, one-hot labels: {@code logsumexp(z) - sum(y z)}. */
  static Operand<TFloat32> categoricalFromLogits(Ops tf, Operand<TFloat32> z, Operand<TFloat32> y) {
    return Losses.categoricalCrossentropy(tf, y, z, true, 0f, -1);
  }

  /** Clip to [eps, 1 - eps], then {@code -(y log(p + eps) + (1 - y) log(1 - p + eps))}, mean over the last axis. */
  static Operand<TFloat32> binaryFromProbabilities(Ops tf, Operand<TFloat32> p, Operand<TFloat32> y) {
    return Losses.binaryCrossentropy(tf, y, p, false, 0f);
  }

  /** Normalise to sum 1, clip to [eps, 1 - eps], {@code -sum(y log p)}. */
  static Operand<TFloat32> categoricalFromProbabilities(Ops tf, Operand<TFloat32> p, Operand<TFloat32> y) {
    return Losses.categoricalCrossentropy(tf, y, p, false, 0f, -1);
  }
}
