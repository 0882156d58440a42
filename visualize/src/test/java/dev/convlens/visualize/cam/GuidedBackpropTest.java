package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Guided backprop against the hand-derived result on 1x1-conv models (joins: GuidedBackpropResidualTest). */
class GuidedBackpropTest {
  @Test
  void guidedGradientsKeepOnlyPositiveGradientsThroughPositiveUnits() {
    KerasModelFixture f = FixtureBuilder.functional("tiny").seed(4).input("image", 4, 4, 1)
        .conv2d("conv", 6, 1, "valid", "relu").globalAvgPool("gap").dense("dense", 2, "softmax").build();
    try (KerasModel m = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults())) {
      float[] kernel = f.weights(List.of("conv")).get(0).value().data();  // [1,1,1,6]
      float[] bias = f.weights(List.of("conv")).get(1).value().data();    // [6]
      float[] dense = f.weights(List.of("dense")).get(0).value().data();  // [6,2]
      float[] x = new float[16];
      Random r = new Random(3);
      for (int i = 0; i < 16; i++) {
        x[i] = (float) r.nextGaussian();
      }
      for (int c = 0; c < 2; c++) {
        FloatTensor g = GuidedBackprop.of(m).gradients(FloatTensor.of(x, 1, 4, 4, 1), new int[] {c});
        boolean gated = false;
        for (int p = 0; p < 16; p++) {
          // logit_c = sum_k W[k,c] mean_p relu(K_k x_p + b_k): the guided path keeps k with W[k,c] > 0 and K_k x_p + b_k > 0.
          double expected = 0;
          double plain = 0;
          for (int k = 0; k < 6; k++) {
            double pre = kernel[k] * x[p] + bias[k];
            double up = dense[k * 2 + c] / 16.0;
            if (pre > 0) {
              expected += kernel[k] * Math.max(up, 0);
              plain += kernel[k] * up;
            }
          }
          gated |= Math.abs(expected - plain) > 1e-3;
          assertEquals(expected, g.data()[p], 1e-6, "class " + c + " pixel " + p);
        }
        assertTrue(gated, "the fixture must have negative upstream gradients for the test to mean anything");
      }
      assertSame(GuidedBackprop.of(m).ops(), GuidedBackprop.of(m).ops(), "ops are built once per model");
    }
  }

  @Test
  void theChainClipsTheGradientAtEveryReluLayer() {
    // image -> 1x1 conv (3, relu) -> 1x1 conv (4, relu) -> GAP -> Dense: guided backprop by hand, layer by layer.
    KerasModelFixture f = FixtureBuilder.functional("two").seed(9).input("image", 3, 3, 2)
        .conv2d("c1", 3, 1, "valid", "relu").conv2d("c2", 4, 1, "valid", "relu").globalAvgPool("gap")
        .dense("dense", 2, "softmax").build();
    try (KerasModel m = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults())) {
      float[] k1 = f.weights(List.of("c1")).get(0).value().data();   // [1,1,2,3]
      float[] b1 = f.weights(List.of("c1")).get(1).value().data();
      float[] k2 = f.weights(List.of("c2")).get(0).value().data();   // [1,1,3,4]
      float[] b2 = f.weights(List.of("c2")).get(1).value().data();
      float[] w = f.weights(List.of("dense")).get(0).value().data(); // [4,2]
      float[] x = new float[18];
      Random r = new Random(8);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      int c = 1;
      FloatTensor g = GuidedBackprop.of(m).gradients(FloatTensor.of(x, 1, 3, 3, 2), new int[] {c});
      for (int p = 0; p < 9; p++) {
        double[] h1 = new double[3];
        for (int j = 0; j < 3; j++) {
          h1[j] = b1[j] + x[p * 2] * k1[j] + x[p * 2 + 1] * k1[3 + j];
        }
        double[] up1 = new double[3];
        for (int o = 0; o < 4; o++) {
          double pre2 = b2[o];
          for (int j = 0; j < 3; j++) {
            pre2 += Math.max(h1[j], 0) * k2[j * 4 + o];
          }
          double g2 = pre2 > 0 ? Math.max(w[o * 2 + c] / 9.0, 0) : 0;
          for (int j = 0; j < 3; j++) {
            up1[j] += k2[j * 4 + o] * g2;
          }
        }
        for (int i = 0; i < 2; i++) {
          double expected = 0;
          for (int j = 0; j < 3; j++) {
            expected += h1[j] > 0 ? k1[i * 3 + j] * Math.max(up1[j], 0) : 0;
          }
          assertEquals(expected, g.data()[p * 2 + i], 1e-6, "pixel " + p + " channel " + i);
        }
      }
    }
  }
}
