package dev.convlens.bridge.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Gradients through the decoder layers, checked without trusting TF: d(sum of output * r)/d input
 * from the graph against central finite differences of {@code predict}, at every input position,
 * for two chains that together pass through every new layer (Normalization included) and interpolation mode.
 */
class DecoderGradientsTest {
  @Test
  void transposeConvPreluNearestAreaAndCenterCrop() {
    check(FixtureBuilder.functional("chain_a").seed(31).input("in", 4, 3, 2)
        .conv2dTranspose("deconv", 3, 3, 2, "same", null, "linear")   // 8x6x3
        .prelu("prelu", 1)
        .upSampling("up", 2, "nearest")                               // 16x12
        .resizing("area", 7, 5, "area", false)
        .centerCrop("crop", 5, 4)
        .conv2d("conv", 2, 3, 1, "valid", "linear", true)          // 3x2x2
        .flatten("flat")
        .dense("out", 3, "linear")
        .build());
  }

  @Test
  void normalizationTransposeConvWithOutputPaddingBilinearCropToAspectThresholdAndPermute() {
    check(FixtureBuilder.functional("chain_b").seed(32).input("in", 3, 4, 2)
        .normalization("norm")
        .conv2dTranspose("deconv", 2, 2, 3, "valid", 1, "linear")  // 10x13x2
        .upSampling("up", 2, "bilinear")                              // 20x26
        .resizing("resize", 6, 9, "bilinear", true)
        .thresholdedRelu("thresholded", -0.3)
        .permute("permute", 2, 1, 3)                                  // 9x6x2
        .flatten("flat")
        .dense("out", 2, "linear")
        .build());
  }

  @SuppressWarnings("unchecked")
  private static void check(KerasModelFixture fixture) {
    try (KerasModel model = KerasModel.fromConfig(fixture.modelConfig().toString(), fixture.weightSource(),
        LoadOptions.defaults())) {
      ModelGraph g = model.graph();
      long[] outShape = g.outputShape();
      Random random = new Random(7);
      float[] r = new float[(int) outShape[1]];
      for (int i = 0; i < r.length; i++) {
        r[i] = (float) random.nextGaussian();
      }
      Operand<TFloat32> gradient = g.extension(ExtensionKey.of(Operand.class, "fd-gradient"), scope -> {
        Ops tf = scope.ops("fd_gradient");
        Operand<TFloat32> score = tf.reduceSum(tf.math.mul(g.output(), tf.constant(r)), tf.constant(new int[] {0, 1}));
        return (Operand<TFloat32>) (Operand<?>) scope.gradients(score, g.input())[0];
      });
      long[] in = model.inputShape();
      float[] x = new float[(int) (in[1] * in[2] * in[3])];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      FloatTensor input = new FloatTensor(new long[] {1, in[1], in[2], in[3]}, x);
      float[] analytic = g.newRun().feedInput(input).fetch(gradient).run().get(0).data();
      double scale = 0;
      for (float a : analytic) {
        scale = Math.max(scale, Math.abs(a));
      }
      assertTrue(scale > 0, "the gradient is zero everywhere: nothing is checked");
      double eps = 1e-2;
      for (int i = 0; i < x.length; i++) {
        double fd = (score(model, x, i, eps, r) - score(model, x, i, -eps, r)) / (2 * eps);
        assertEquals(fd, analytic[i], 2e-3 * scale + 1e-4, fixture.modelConfig().path("config").path("name")
            + ": d score / d input[" + i + "]");
      }
    }
  }

  private static double score(KerasModel model, float[] x, int i, double eps, float[] r) {
    float[] shifted = x.clone();
    shifted[i] += (float) eps;
    long[] s = model.inputShape();
    float[] y = model.predict(new FloatTensor(new long[] {1, s[1], s[2], s[3]}, shifted)).data();
    double sum = 0;
    for (int k = 0; k < y.length; k++) {
      sum += (double) y[k] * r[k];
    }
    return sum;
  }
}
