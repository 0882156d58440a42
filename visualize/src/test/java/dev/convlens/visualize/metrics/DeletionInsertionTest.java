package dev.convlens.visualize.metrics;

import static dev.convlens.visualize.metrics.LinearModel.sigmoid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Deletion and insertion on {@code p = sigmoid(sum(x) - 5)} over a 2x2 grey image [1, 2, 3, 4]:
 * every point of the curve is the sigmoid of the pixels still present, worked out by hand.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeletionInsertionTest {
  private static final FloatTensor IMAGE = FloatTensor.of(new float[] {1, 2, 3, 4}, 2, 2, 1);
  /** Ranks pixel 1 (value 2), then 2 (3), then 3 (4), then 0 (1). */
  private static final FloatTensor MAP = FloatTensor.of(new float[] {0.1f, 0.9f, 0.5f, 0.3f}, 2, 2);
  /** scipy.ndimage.gaussian_filter(unit impulse at 5 of 11 samples, 5): one axis of RISE's gkern(11, 5). */
  private static final double[] SCIPY_KERNEL = {0.08795815, 0.08889612, 0.0904742, 0.09219112, 0.09348939,
      0.09398206, 0.09348939, 0.09219112, 0.0904742, 0.08889612, 0.08795815};

  private KerasModel model;

  @BeforeAll
  void load() {
    model = LinearModel.ofSum(2, 2, 1, 1, -5);
  }

  @AfterAll
  void close() {
    model.close();
  }

  @Test
  void deletionRemovesTheTopPixelsOneStepAtATime() {
    Curve c = DeletionInsertion.deletion(model, IMAGE, 0, MAP, CurveOptions.defaults().withPixelsPerStep(1));
    // Sums left: 10, 10-2, 10-2-3, 10-2-3-4, 0.
    double[] expected = {sigmoid(5), sigmoid(3), sigmoid(0), sigmoid(-4), sigmoid(-5)};
    assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, c.fractions(), 0);
    assertArrayEquals(expected, c.probabilities(), 1e-6);
    double auc = 0.25 * (expected[0] / 2 + expected[1] + expected[2] + expected[3] + expected[4] / 2);
    assertEquals(auc, c.auc(), 1e-6);
  }

  @Test
  void insertionPutsThePixelsBackInTheSameOrder() {
    Curve c = DeletionInsertion.insertion(model, IMAGE, 0, MAP, CurveOptions.defaults().withPixelsPerStep(1));
    double[] expected = {sigmoid(-5), sigmoid(-3), sigmoid(0), sigmoid(4), sigmoid(5)};
    assertArrayEquals(expected, c.probabilities(), 1e-6);
    assertEquals(0.25 * (expected[0] / 2 + expected[1] + expected[2] + expected[3] + expected[4] / 2), c.auc(), 1e-6);
  }

  @Test
  void aShorterLastStepCountsByItsTrueWidth() {
    Curve c = DeletionInsertion.deletion(model, IMAGE, 0, MAP, CurveOptions.defaults().withPixelsPerStep(3));
    assertArrayEquals(new double[] {0, 0.75, 1}, c.fractions(), 0);
    double[] p = {sigmoid(5), sigmoid(-4), sigmoid(-5)};
    assertArrayEquals(p, c.probabilities(), 1e-6);
    assertEquals(0.75 * (p[0] + p[1]) / 2 + 0.25 * (p[1] + p[2]) / 2, c.auc(), 1e-6);
  }

  @Test
  void theDefaultStepIsOneImageRow() {
    Curve c = DeletionInsertion.deletion(model, IMAGE, 0, MAP, CurveOptions.defaults());
    assertArrayEquals(new double[] {0, 0.5, 1}, c.fractions(), 0);
    // Two pixels per step: pixels 1 and 2 (values 2 and 3) go first.
    assertArrayEquals(new double[] {sigmoid(5), sigmoid(0), sigmoid(-5)}, c.probabilities(), 1e-6);
  }

  @Test
  void aCoarseMapIsResizedBilinearlyToTheImage() {
    // 2x4 image, columns worth 1, 10, 100, 1000 (both rows); a 1x2 map [1, 0] becomes, per row,
    // 1, 0.75, 0.25, 0 (half-pixel centers, clamped): the two left columns of both rows go first.
    float[] x = {1, 10, 100, 1000, 1, 10, 100, 1000};
    try (KerasModel m = LinearModel.ofSum(2, 4, 1, 0.001f, 0)) {
      Curve c = DeletionInsertion.deletion(m, FloatTensor.of(x, 2, 4, 1), 0, FloatTensor.of(new float[] {1, 0}, 1, 2),
          CurveOptions.defaults().withPixelsPerStep(4));
      assertArrayEquals(new double[] {sigmoid(2.222), sigmoid(2.2), sigmoid(0)}, c.probabilities(), 1e-6);
    }
  }

  @Test
  void theRiseKernelIsScipysGaussianFilterOfAnImpulse() {
    double[] k = Substrate.kernel1d(11, 5);
    assertArrayEquals(SCIPY_KERNEL, k, 1e-8);
    double sum = 0;
    for (double v : k) {
      sum += v;
    }
    assertEquals(1, sum, 1e-12);
  }

  @Test
  void insertionFromTheBlurredImageStartsAtTheBlurredSum() {
    // Zero-padded 11x11 blur of a 2x2 image: each pixel spreads (k[5] + k[4])^2 of itself over the image.
    double kept = Math.pow(SCIPY_KERNEL[5] + SCIPY_KERNEL[4], 2);
    Curve c = DeletionInsertion.insertion(model, IMAGE, 0, MAP,
        CurveOptions.defaults().withPixelsPerStep(4).withSubstrate(Substrate.blur()));
    assertArrayEquals(new double[] {sigmoid(10 * kept - 5), sigmoid(5)}, c.probabilities(), 1e-6);
  }

  @Test
  void aConstantSubstrateReplacesEveryChannel() {
    try (KerasModel m = LinearModel.ofSum(1, 2, 3, 1, 0)) {
      FloatTensor x = FloatTensor.of(new float[] {1, 1, 1, 2, 2, 2}, 1, 2, 3);
      Curve c = DeletionInsertion.deletion(m, x, 0, FloatTensor.of(new float[] {0, 1}, 1, 2),
          CurveOptions.defaults().withPixelsPerStep(1).withSubstrate(Substrate.constant(-1)));
      assertArrayEquals(new double[] {sigmoid(9), sigmoid(0), sigmoid(-6)}, c.probabilities(), 1e-6);
    }
  }

  @Test
  void batchingDoesNotChangeTheCurve() {
    CurveOptions o = CurveOptions.defaults().withPixelsPerStep(1);
    Curve one = DeletionInsertion.deletion(model, IMAGE, 0, MAP, o.withBatchSize(1));
    Curve two = DeletionInsertion.deletion(model, IMAGE, 0, MAP, o.withBatchSize(2));
    Curve all = DeletionInsertion.deletion(model, IMAGE, 0, MAP, o.withBatchSize(64));
    assertArrayEquals(one.probabilities(), two.probabilities(), 0);
    assertArrayEquals(one.probabilities(), all.probabilities(), 0);
  }

  @Test
  void equalMapValuesAreOrderedBySeedNotByRaster() {
    // A flat map: with raster order the top row (1, 2) would always go first.
    FloatTensor flat = FloatTensor.of(new float[4], 2, 2);
    java.util.Set<Double> firstSteps = new java.util.HashSet<>();
    for (long seed = 0; seed < 20; seed++) {
      Curve c = DeletionInsertion.deletion(model, IMAGE, 0, flat, CurveOptions.defaults().withSeed(seed));
      firstSteps.add(Math.round(c.probabilities()[1] * 1e6) / 1e6);
      assertEquals(c, DeletionInsertion.deletion(model, IMAGE, 0, flat, CurveOptions.defaults().withSeed(seed)));
    }
    assertTrue(firstSteps.size() > 2, "seeds gave " + firstSteps);
  }

  @Test
  void aCancelledCallRunsNothing() {
    Cancellation c = Cancellation.token();
    c.cancel();
    assertThrows(CancelledException.class, () -> DeletionInsertion.deletion(model, IMAGE, 0, MAP,
        CurveOptions.defaults().withCancellation(c)));
  }

  @Test
  void badArgumentsAreNamed() {
    CurveOptions o = CurveOptions.defaults();
    assertTrue(assertThrows(InvalidInputException.class, () -> DeletionInsertion.deletion(model, IMAGE, 1, MAP, o))
        .getMessage().contains("class index 1"));
    assertTrue(assertThrows(InvalidInputException.class, () -> DeletionInsertion.deletion(model, IMAGE, 0,
        FloatTensor.of(new float[4], 2, 2, 1), o)).getMessage().contains("map [h, w]"));
    assertTrue(assertThrows(InvalidInputException.class, () -> DeletionInsertion.deletion(model, IMAGE, 0,
        FloatTensor.of(new float[] {0, Float.NaN, 0, 0}, 2, 2), o)).getMessage().contains("non-finite"));
    assertThrows(InvalidInputException.class, () -> o.withPixelsPerStep(0));
    assertThrows(InvalidInputException.class, () -> Substrate.blur(4, 5));
  }
}
