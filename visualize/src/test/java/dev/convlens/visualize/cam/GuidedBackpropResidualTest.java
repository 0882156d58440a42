package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Guided backprop through joins: a residual block by hand, and a join-heavy smooth model by finite differences. */
class GuidedBackpropResidualTest {
  /**
   * image [3,3,2] -> a = relu(1x1 conv, 3) -> b = relu(1x1 conv on a, 3) -> s = a + b -> r = relu(s)
   * -> GAP -> Dense(2). Pixels do not mix, so per pixel p, with h_a = K_a^T x_p + c_a and h_b = K_b^T a + c_b:
   * <ul>
   *   <li>at r: the incoming W[:, c] / 9 is clipped, max(W[k, c] / 9, 0), and r's ReLU masks it: g_s = [s > 0] * that;
   *   <li>the Add passes g_s on unchanged to both a (directly) and b;
   *   <li>at b: max(g_s, 0), masked by [h_b > 0], then to a through K_b: K_b (...);
   *   <li>at a: the SUM g_a = g_s + K_b (...) is clipped, max(g_a, 0), masked by [h_a > 0], then to x: K_a (...).
   * </ul>
   * Following TF's full gradient of s with respect to a would also run back through b unclipped; the
   * test checks the fixture tells the two apart.
   */
  @Test
  void residualBlockMatchesTheHandDerivedGuidedGradient() {
    KerasModelFixture f = FixtureBuilder.functional("res").seed(2).input("image", 3, 3, 2)
        .conv2d("a", 3, 1, "valid", "relu").conv2d("b", 3, 1, "valid", "relu").add("s", "a", "b")
        .activation("r", "relu").globalAvgPool("gap").dense("dense", 2, "softmax").build();
    try (KerasModel m = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults())) {
      float[] ka = f.weights(List.of("a")).get(0).value().data();  // [1,1,2,3]
      float[] ca = f.weights(List.of("a")).get(1).value().data();
      float[] kb = f.weights(List.of("b")).get(0).value().data();  // [1,1,3,3]
      float[] cb = f.weights(List.of("b")).get(1).value().data();
      float[] w = f.weights(List.of("dense")).get(0).value().data(); // [3,2]
      float[] x = new float[18];
      Random rnd = new Random(4);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rnd.nextGaussian();
      }
      double unguidedPath = 0;
      double sumClipped = 0;
      for (int c = 0; c < 2; c++) {
        FloatTensor g = GuidedBackprop.of(m).gradients(FloatTensor.of(x, 1, 3, 3, 2), new int[] {c});
        for (int p = 0; p < 9; p++) {
          double[] ha = new double[3];
          double[] a = new double[3];
          for (int j = 0; j < 3; j++) {
            ha[j] = ca[j] + x[p * 2] * ka[j] + x[p * 2 + 1] * ka[3 + j];
            a[j] = Math.max(ha[j], 0);
          }
          double[] hb = new double[3];
          double[] gs = new double[3];
          for (int o = 0; o < 3; o++) {
            hb[o] = cb[o];
            for (int j = 0; j < 3; j++) {
              hb[o] += a[j] * kb[j * 3 + o];
            }
            double s = a[o] + Math.max(hb[o], 0);
            gs[o] = s > 0 ? Math.max(w[o * 2 + c] / 9.0, 0) : 0;
          }
          double[] ga = gs.clone();
          double[] gaWrong = gs.clone();  // b's path unclipped, as TF's full d s / d a would add
          double[] gaEach = gs.clone();   // b's path clipped on its own before the sum
          for (int o = 0; o < 3; o++) {
            double gb = hb[o] > 0 ? Math.max(gs[o], 0) : 0;
            double gbRaw = hb[o] > 0 ? gs[o] : 0;
            for (int j = 0; j < 3; j++) {
              ga[j] += kb[j * 3 + o] * gb;
              gaWrong[j] += kb[j * 3 + o] * (gb + gbRaw);
              gaEach[j] += Math.max(kb[j * 3 + o] * gb, 0);
            }
          }
          for (int i = 0; i < 2; i++) {
            double expected = 0;
            double wrong = 0;
            double each = 0;
            for (int j = 0; j < 3; j++) {
              if (ha[j] > 0) {
                expected += ka[i * 3 + j] * Math.max(ga[j], 0);
                wrong += ka[i * 3 + j] * Math.max(gaWrong[j], 0);
                each += ka[i * 3 + j] * Math.max(gaEach[j], 0);
              }
            }
            unguidedPath = Math.max(unguidedPath, Math.abs(expected - wrong));
            sumClipped = Math.max(sumClipped, Math.abs(expected - each));
            assertEquals(expected, g.data()[p * 2 + i], 1e-6, "class " + c + " pixel " + p + " channel " + i);
          }
        }
      }
      assertTrue(unguidedPath > 1e-3, "the fixture must tell the guided chain from TF's full gradient: " + unguidedPath);
      assertTrue(sumClipped > 1e-3, "the fixture must tell clipping the sum from clipping each path: " + sumClipped);
    }
  }

  /**
   * Without ReLUs guided backprop is the plain gradient, so on a smooth model full of joins
   * (a residual Add, a Concatenate of a layer with its own descendant, a layer feeding three) it must
   * match central differences of the logit: a join whose inputs depend on each other would be counted twice.
   */
  @Test
  void withoutRelusTheChainIsTheGradientThroughEveryJoin() {
    KerasModelFixture f = FixtureBuilder.functional("joins").seed(13).input("image", 5, 5, 2)
        .conv2d("c1", 3, 3, "same", "tanh").conv2d("c2", 3, 3, "same", "tanh").add("j1", "c1", "c2")
        .conv2d("c3", 2, 1, "valid", "tanh").concatenate("cat", -1, "j1", "c3", "c1")
        .conv2d("c4", 3, 3, "valid", "tanh").flatten("flat").dense("logits", 3, "linear")
        .activation("probs", "softmax").build();
    checkAgainstCentralDifferences(f);
  }

  /** The same through a nested model whose residual join takes its own input, joined again outside with its input. */
  @Test
  void withoutRelusTheChainIsTheGradientThroughANestedResidualModel() {
    FixtureBuilder block = FixtureBuilder.functional("block").seed(17).input("inner", 5, 5, 3)
        .conv2d("i1", 3, 3, "same", "tanh").conv2d("i2", 3, 3, "same", "tanh").add("iadd", "inner", "i2");
    KerasModelFixture f = FixtureBuilder.functional("nest").seed(19).input("image", 5, 5, 2)
        .conv2d("c0", 3, 3, "same", "tanh").nested(block).add("j", "c0", "block").flatten("flat")
        .dense("logits", 3, "linear").activation("probs", "softmax").build();
    checkAgainstCentralDifferences(f);
  }

  private static void checkAgainstCentralDifferences(KerasModelFixture f) {
    try (KerasModel m = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults())) {
      Random r = new Random(6);
      int d = 50;
      float[] x = new float[d];
      for (int i = 0; i < d; i++) {
        x[i] = (float) r.nextGaussian();
      }
      double eps = 1e-2;
      float[] batch = new float[2 * d * d];
      for (int i = 0; i < d; i++) {
        System.arraycopy(x, 0, batch, 2 * i * d, d);
        System.arraycopy(x, 0, batch, (2 * i + 1) * d, d);
        batch[2 * i * d + i] += (float) eps;
        batch[(2 * i + 1) * d + i] -= (float) eps;
      }
      float[] logits = m.activations(FloatTensor.of(batch, 2L * d, 5, 5, 2), List.of("logits")).get("logits").data();
      for (int c = 0; c < 3; c++) {
        float[] g = GuidedBackprop.of(m).gradients(FloatTensor.of(x, 1, 5, 5, 2), new int[] {c}).data();
        double maxG = 0;
        for (float v : g) {
          maxG = Math.max(maxG, Math.abs(v));
        }
        assertTrue(maxG > 1e-3, "class " + c + ": the gradient is all but zero");
        for (int i = 0; i < d; i++) {
          double fd = (logits[2 * i * 3 + c] - logits[(2 * i + 1) * 3 + c]) / (2 * eps);
          assertEquals(fd, g[i], 2e-3 * maxG, "class " + c + " d logit / d x[" + i + "]");
        }
      }
    }
  }
}
