package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The losses (tensorflow-framework's) against Keras 2's formulas worked out by hand, per sample,
 * with the gradient with respect to the logits or probabilities where it matters:
 * <ul>
 *   <li>binary from logits: {@code l = max(z,0) - z y + log(1 + e^-|z|)} and {@code dl/dz = sigmoid(z) - y},
 *       also at {@code z = 0} (a hand-written {@code relu}/{@code abs} form gets {@code -y} there);
 *   <li>categorical from logits: {@code l = log(sum e^z) - sum y z}, {@code dl/dz = softmax(z) - y};
 *   <li>from probabilities, Keras' backend: clip {@code p} to {@code [eps, 1 - eps]} in float32
 *       ({@code eps = 1e-7}, so {@code 1 - eps} rounds to {@code 1 - 2^-23}), then
 *       {@code -(y log(p + eps) + (1 - y) log(1 - p + eps))}, or after normalising the rows to
 *       sum 1, {@code -sum y log p}; a clipped probability has gradient 0.
 * </ul>
 */
class LossOpsTest {
  private static final double E3 = Math.exp(-3);

  interface Loss {
    Operand<TFloat32> make(Ops tf, Operand<TFloat32> x, Operand<TFloat32> y);
  }

  /** Per-sample losses and d(sum of losses)/dx for {@code x} and {@code y} of shape {@code [n, k]}. */
  private static float[][] run(Loss loss, int k, float[] x, float[] y) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> px = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, k)));
      Placeholder<TFloat32> py = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, k)));
      Operand<TFloat32> l = loss.make(tf, px, py);
      Output<?>[] grad = g.addGradients(tf.sum(l, tf.constant(0)).asOutput(), new Output<?>[] {px.asOutput()});
      long n = x.length / k;
      try (TFloat32 tx = TFloat32.tensorOf(Shape.of(n, k), DataBuffers.of(x));
           TFloat32 ty = TFloat32.tensorOf(Shape.of(n, k), DataBuffers.of(y));
           Result r = s.runner().feed(px, tx).feed(py, ty).fetch(l).fetch(grad[0]).run()) {
        return new float[][] {values((TFloat32) r.get(0)), values((TFloat32) r.get(1))};
      }
    }
  }

  private static float[] values(TFloat32 t) {
    float[] f = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(f, false, false));
    return f;
  }

  private static float[] floats(double... d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  @Test
  void binaryFromLogits() {
    float[][] r = run(LossOps::binaryFromLogits, 1, floats(0, 0, 3, -3, 30), floats(1, 0, 1, 1, 0));
    assertArrayEquals(floats(Math.log(2), Math.log(2), Math.log1p(E3), 3 + Math.log1p(E3), 30 + Math.log1p(Math.exp(-30))),
        r[0], 1e-6f);
    assertArrayEquals(floats(0.5 - 1, 0.5, sigmoid(3) - 1, sigmoid(-3) - 1, sigmoid(30)), r[1], 1e-6f);
  }

  @Test
  void categoricalFromLogits() {
    float[][] r = run(LossOps::categoricalFromLogits, 3, floats(0, 0, 0, 1, 2, 3, -100, 0, 100),
        floats(1, 0, 0, 0, 0, 1, 0, 1, 0));
    double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
    // logsumexp(1, 2, 3) - 3 = log(1 + e^-1 + e^-2); no overflow at +-100
    assertArrayEquals(floats(Math.log(3), Math.log1p(Math.exp(-1) + Math.exp(-2)), 100), r[0], 1e-5f);
    assertArrayEquals(floats(1 / 3.0 - 1, 1 / 3.0, 1 / 3.0, Math.exp(1) / sum, Math.exp(2) / sum, Math.exp(3) / sum - 1,
        0, -1, 1), r[1], 1e-6f);
  }

  @Test
  void binaryFromProbabilitiesClipsAsKerasDoes() {
    float eps = 1e-7f;
    float top = 1f - eps; // float32: 1 - 2^-23
    float[][] r = run(LossOps::binaryFromProbabilities, 1, floats(0.7, 0.25, 0, 1), floats(1, 0, 1, 0));
    assertArrayEquals(floats(-Math.log(0.7f + eps), -Math.log(0.75f + eps), -Math.log(eps + eps),
        -Math.log((1f - top) + eps)), r[0], 2e-6f);
    // the numbers differ from the unclipped -log(1e-7) = 16.118 and from each other by the rounding of 1 - eps
    assertArrayEquals(floats(15.424948, 15.333239), new float[] {r[0][2], r[0][3]}, 1e-5f);
    // d/dp of -(log(p + eps)) is -1/(p + eps); clipped probabilities get no gradient
    assertArrayEquals(floats(-1 / (0.7 + eps), 1 / (0.75 + eps), 0, 0), r[1], 1e-5f);
  }

  @Test
  void categoricalFromProbabilitiesNormalisesThenClips() {
    float[][] r = run(LossOps::categoricalFromProbabilities, 3, floats(0.2, 0.3, 0.5, 0.4, 0.4, 0.4, 1, 0, 0),
        floats(1, 0, 0, 0, 0, 1, 0, 0, 1));
    assertArrayEquals(floats(-Math.log(0.2), Math.log(3), -Math.log(1e-7f)), r[0], 2e-6f);
    assertEquals(16.118096, r[0][2], 1e-5, "-log(1e-7): the zero probability of the true class clipped to eps");
    // d/dp_j of -log(p_t / sum p) is 1/sum p for j != t and 1/sum p - 1/p_t for the true class t
    assertArrayEquals(floats(1 - 1 / 0.2, 1, 1, 1 / 1.2, 1 / 1.2, 1 / 1.2 - 1 / 0.4), java.util.Arrays.copyOf(r[1], 6),
        1e-5f);
  }
}
