package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * HiResCAM, XGrad-CAM and Eigen-CAM on tiny hand-made layers whose maps are worked out by hand
 * (the golden test needs ../shared; these run everywhere and pin the edge cases: a channel that is
 * zero everywhere, the Eigen-CAM sign rule, constant activations).
 */
class CamFamilyFormulaTest {
  private static final double EPS = 1e-5;

  /** One row of {@code positions x channels}, position-major. */
  private static LayerMaps maps(int positions, int channels, float[] a, float @Nullable [] g) {
    return new LayerMaps(1, positions, channels, a, g, 0, () -> {
      throw new AssertionError("not Score-CAM");
    });
  }

  // Two positions, three channels; channel 2 is zero everywhere but has a gradient.
  private static final float[] A = {1, 0, 0, 3, 2, 0};
  private static final float[] G = {2, -1, 5, 1, 1, 5};

  @Test
  void hiResCamWeighsEachPositionByItsOwnGradient() {
    // p0: 2*1 + (-1)*0 + 5*0 = 2; p1: 1*3 + 1*2 + 5*0 = 5.
    LayerMaps m = maps(2, 3, A, G);
    CamAlgorithm hires = new HiResCam();
    assertArrayEquals(new float[] {2, 5}, hires.map(m, hires.weights(m)), 1e-6f);
    // Reported weights: the pooled gradients.
    assertArrayEquals(new double[] {1.5, 0, 5}, hires.weights(m), 1e-9);
    assertEquals(ScoreKind.LOGIT, hires.score());
  }

  @Test
  void xGradCamWeightsAreActivationWeightedGradientsAndAZeroChannelGetsZero() {
    // w0 = (2*1 + 1*3) / (1 + 3) = 1.25; w1 = (-1*0 + 1*2) / (0 + 2) = 1; w2 = 0 / (0 + 1e-7) = 0.
    LayerMaps m = maps(2, 3, A, G);
    CamAlgorithm x = new XGradCam();
    double[] w = x.weights(m);
    assertArrayEquals(new double[] {1.25, 1, 0}, w, 1e-6);
    // p0: 1.25*1 + 1*0 = 1.25; p1: 1.25*3 + 1*2 = 5.75.
    assertArrayEquals(new float[] {1.25f, 5.75f}, x.map(m, w), 1e-6f);
  }

  @Test
  void eigenCamProjectsOnTheFirstComponentWithTheLargerSidePositive() {
    // Rows [0,0], [1,2], [5,10]: centered [-2,-4], [-1,-2], [3,6], rank 1 along [1,2]/sqrt5;
    // projections -2sqrt5, -sqrt5, 3sqrt5: the positive side is larger, kept.
    double s5 = Math.sqrt(5);
    assertEigen(new float[] {0, 0, 1, 2, 5, 10}, new double[] {-2 * s5, -s5, 3 * s5}, new double[] {1 / s5, 2 / s5});
    // Rows [0,0], [4,8], [5,10]: centered [-3,-6], [1,2], [2,4]: projections -3sqrt5, sqrt5, 2sqrt5
    // along +[1,2]: the negative side is larger, so the component is flipped.
    assertEigen(new float[] {0, 0, 4, 8, 5, 10}, new double[] {3 * s5, -s5, -2 * s5}, new double[] {-1 / s5, -2 / s5});
  }

  @Test
  void eigenCamOfConstantActivationsIsAllZero() {
    LayerMaps m = maps(3, 2, new float[] {4, 1, 4, 1, 4, 1}, null);
    CamAlgorithm eigen = new EigenCam();
    float[] raw = eigen.map(m, eigen.weights(m));
    assertArrayEquals(new float[] {0, 0, 0}, raw, 0f);
    assertArrayEquals(new float[] {0, 0, 0}, Heatmap.normalize(raw), 0f);
  }

  private static void assertEigen(float[] a, double[] expectedRaw, double[] expectedWeights) {
    LayerMaps m = maps(3, 2, a, null); // no gradients: reading one would throw
    CamAlgorithm eigen = new EigenCam();
    assertEquals(ScoreKind.NONE, eigen.score());
    double[] w = eigen.weights(m);
    assertArrayEquals(expectedWeights, w, EPS);
    float[] raw = eigen.map(m, w);
    for (int p = 0; p < expectedRaw.length; p++) {
      assertEquals(expectedRaw[p], raw[p], EPS, "raw[" + p + "]");
    }
  }
}
