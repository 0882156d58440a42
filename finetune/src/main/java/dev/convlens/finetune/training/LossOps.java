package dev.convlens.finetune.training;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Per-sample crossentropy as graph ops, built only from ops whose gradients TF's C++ registry has.
 * From logits, as Keras computes it in graph mode (its {@code binary_crossentropy} and
 * {@code categorical_crossentropy} see through a sigmoid/softmax output to the logits); from
 * probabilities with Keras' epsilon clipping ({@code 1e-7}) for models whose logits are not reachable.
 */
final class LossOps {
  static final float EPSILON = 1e-7f;

  private LossOps() {}

  /** {@code [N, 1]} logits, 0/1 labels: {@code max(z, 0) - z y + log(1 + exp(-|z|))}, mean over the last axis. */
  static Operand<TFloat32> binaryFromLogits(Ops tf, Operand<TFloat32> z, Operand<TFloat32> y) {
    Operand<TFloat32> l = tf.math.add(tf.math.sub(tf.nn.relu(z), tf.math.mul(z, y)),
        tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(z)))));
    return tf.math.mean(l, tf.constant(-1));
  }

  /** {@code [N, K]} logits, one-hot labels: {@code logsumexp(z) - sum(y z)}, the max subtracted for stability. */
  static Operand<TFloat32> categoricalFromLogits(Ops tf, Operand<TFloat32> z, Operand<TFloat32> y) {
    Operand<TFloat32> m = tf.stopGradient(tf.max(z, tf.constant(-1), org.tensorflow.op.core.Max.keepDims(true)));
    Operand<TFloat32> lse = tf.math.add(tf.squeeze(m, org.tensorflow.op.core.Squeeze.axis(java.util.List.of(-1L))),
        tf.math.log(tf.sum(tf.math.exp(tf.math.sub(z, m)), tf.constant(-1))));
    return tf.math.sub(lse, tf.sum(tf.math.mul(y, z), tf.constant(-1)));
  }

  /** Keras' backend formula on probabilities: clip to [eps, 1 - eps], then {@code -(y log(p + eps) + (1 - y) log(1 - p + eps))}. */
  static Operand<TFloat32> binaryFromProbabilities(Ops tf, Operand<TFloat32> p, Operand<TFloat32> y) {
    Operand<TFloat32> eps = tf.constant(EPSILON);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> c = tf.clipByValue(p, eps, tf.constant(1f - EPSILON));
    Operand<TFloat32> l = tf.math.neg(tf.math.add(tf.math.mul(y, tf.math.log(tf.math.add(c, eps))),
        tf.math.mul(tf.math.sub(one, y), tf.math.log(tf.math.add(tf.math.sub(one, c), eps)))));
    return tf.math.mean(l, tf.constant(-1));
  }

  /** Keras' backend formula: normalise to sum 1, clip to [eps, 1 - eps], {@code -sum(y log p)}. */
  static Operand<TFloat32> categoricalFromProbabilities(Ops tf, Operand<TFloat32> p, Operand<TFloat32> y) {
    Operand<TFloat32> n = tf.math.div(p, tf.sum(p, tf.constant(-1), org.tensorflow.op.core.Sum.keepDims(true)));
    Operand<TFloat32> c = tf.clipByValue(n, tf.constant(EPSILON), tf.constant(1f - EPSILON));
    return tf.math.neg(tf.sum(tf.math.mul(y, tf.math.log(c)), tf.constant(-1)));
  }
}
