package dev.convlens.visualize.cam;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * The score ops of {@link Target}s, per row of a batch: with the model output and its logits
 * flattened to {@code [N, M]} and the embedding to {@code [N, E]},
 * {@code score = sum(outputWeights * output) + sum(logitWeights * logits) + similarity * cos(embedding, reference)},
 * plus, for rows whose {@code topFlags} say so, the top-1 class of the output (chosen in the
 * graph, so the default target needs one run) on the output (flag 0) or the logits (flag 1). The
 * sum of the rows' scores is what gets differentiated: samples do not mix, so every row gets its
 * own gradients. Built inside a model extension's builder; {@link RowTargets} makes the feeds.
 */
record TargetOps(Placeholder<TFloat32> outputWeights, Placeholder<TFloat32> logitWeights, Placeholder<TFloat32> flags,
    Placeholder<TFloat32> reference, Operand<TFloat32> outputs, Operand<TFloat32> logits, Operand<TFloat32> embedding,
    Operand<TFloat32> rowScores, Operand<TFloat32> total, long[] outputShape, int embeddingSize) {
  /** Columns of {@link #flags}: top class on the output, top class on the logits, similarity. */
  static final int FLAGS = 3;

  /** The flattened size {@code M} of one row of the output. */
  int outputSize() {
    return size(outputShape);
  }

  /**
   * The ops for {@code output} (a model output's name) and the embedding layer ({@code null}: the
   * output itself). Call inside an extension builder.
   */
  static TargetOps build(Ops tf, KerasModel model, String output, @Nullable String embeddingLayer) {
    ModelGraph g = model.graph();
    Operand<TFloat32> out = g.output(output);
    long[] shape = staticShape(model, out, "output '" + output + "'");
    int m = size(shape);
    Operand<TFloat32> logitsSource = TargetLayers.logitsLayer(model, output).preActivation();
    Operand<TFloat32> emb = embeddingLayer == null ? out : g.layer(embeddingLayer).output();
    long[] embShape = staticShape(model, emb, "embedding '" + (embeddingLayer == null ? output : embeddingLayer) + "'");
    int e = size(embShape);

    Operand<TFloat32> outputs = tf.reshape(out, tf.constant(new long[] {-1, m}));
    Operand<TFloat32> logits = tf.reshape(logitsSource, tf.constant(new long[] {-1, m}));
    Operand<TFloat32> embedding = tf.reshape(emb, tf.constant(new long[] {-1, e}));
    Placeholder<TFloat32> ow = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, m)));
    Placeholder<TFloat32> lw = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, m)));
    Placeholder<TFloat32> flags = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, FLAGS)));
    Placeholder<TFloat32> ref = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, e)));

    // stopGradient keeps argMax/oneHot out of the derivative.
    Operand<TFloat32> top = tf.oneHot(tf.math.argMax(tf.stopGradient(outputs), tf.constant(1)), tf.constant(m),
        tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> outW = tf.math.add(ow, tf.math.mul(column(tf, flags, 0), top));
    Operand<TFloat32> logW = tf.math.add(lw, tf.math.mul(column(tf, flags, 1), top));
    Operand<TFloat32> linear = tf.math.add(rowSum(tf, tf.math.mul(outW, outputs), false),
        rowSum(tf, tf.math.mul(logW, logits), false));
    // Clamping the squared norms keeps the gradient finite at an all-zero embedding (ReLU features).
    Operand<TFloat32> eps = tf.constant(1e-24f);
    Operand<TFloat32> norms = tf.math.mul(
        tf.math.sqrt(tf.math.maximum(rowSum(tf, tf.math.square(embedding), false), eps)),
        tf.math.sqrt(tf.math.maximum(rowSum(tf, tf.math.square(ref), false), eps)));
    Operand<TFloat32> cosine = tf.math.div(rowSum(tf, tf.math.mul(embedding, ref), false), norms);
    Operand<TFloat32> similarity = tf.reshape(column(tf, flags, 2), tf.constant(new long[] {-1}));
    Operand<TFloat32> rowScores = tf.math.add(linear, tf.math.mul(similarity, cosine));
    return new TargetOps(ow, lw, flags, ref, outputs, logits, embedding, rowScores,
        tf.reduceSum(rowScores, tf.constant(0)), shape, e);
  }

  private static Operand<TFloat32> column(Ops tf, Operand<TFloat32> m, int c) {
    return tf.slice(m, tf.constant(new int[] {0, c}), tf.constant(new int[] {-1, 1}));
  }

  private static Operand<TFloat32> rowSum(Ops tf, Operand<TFloat32> x, boolean keepDims) {
    return tf.reduceSum(x, tf.constant(1), ReduceSum.keepDims(keepDims));
  }

  /** The tensor's shape without the batch axis; every axis must be known to size the feeds. */
  private static long[] staticShape(KerasModel model, Operand<TFloat32> t, String what) {
    long[] s = t.shape().asArray();
    long[] rest = s == null ? new long[] {-1} : Arrays.copyOfRange(s, 1, s.length);
    for (long d : rest) {
      if (d < 0) {
        throw new InvalidInputException("model '" + model.name() + "': the " + what + " has shape "
            + Arrays.toString(s) + "; explaining it needs every axis but the batch known");
      }
    }
    return rest;
  }

  private static int size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }
}
