package dev.convlens.visualize.metrics;

import static dev.convlens.visualize.metrics.LinearModel.sigmoid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ROAD's noisy linear imputation on images small enough to solve by hand (the weights: 1/6 for
 * the four direct neighbours, 1/12 for the four diagonal ones, renormalised at the border), the
 * defining equations on a large random mask, and the ROAD curve of a linear sigmoid model.
 */
class RoadTest {
  /** 3x3, row-major. */
  private static final float[] NINE = {9, 1, 4, 0, 7, 2, 5, 3, 8};

  private static float[] impute(float[] image, int h, int w, int c, boolean[] removed) {
    return NoisyLinearImputation.impute(image, h, w, c, removed, 0, new SplittableRandom(0));
  }

  @Test
  void anInteriorPixelIsTheWeightedMeanOfItsEightNeighbours() {
    boolean[] removed = new boolean[9];
    removed[4] = true;
    // Direct 1, 0, 2, 3 (sum 6) at 1/6; diagonal 9, 4, 5, 8 (sum 26) at 1/12: 1 + 26/12 = 19/6.
    float[] out = impute(NINE, 3, 3, 1, removed);
    assertEquals(19.0 / 6, out[4], 1e-6);
    for (int i = 0; i < 9; i++) {
      if (i != 4) {
        assertEquals(NINE[i], out[i], 0f, "kept pixel " + i);
      }
    }
  }

  @Test
  void aCornerPixelRenormalisesTheWeightsOfItsThreeNeighbours() {
    boolean[] removed = new boolean[9];
    removed[0] = true;
    // (1/6 * 1 + 1/6 * 0 + 1/12 * 7) / (5/12) = 9/5.
    assertEquals(1.8, impute(NINE, 3, 3, 1, removed)[0], 1e-6);
  }

  @Test
  void twoAdjacentRemovedPixelsSolveTheirTwoEquationsTogether() {
    // 1 2 3 4 / 5 a b 6 / 7 8 9 10. a = 25/6 + b/6 and b = 5 + a/6, so a = 36/7 and b = 41/7;
    // what a and b held before does not matter.
    float[] x = {1, 2, 3, 4, 5, 100, -100, 6, 7, 8, 9, 10};
    boolean[] removed = new boolean[12];
    removed[5] = true;
    removed[6] = true;
    float[] out = impute(x, 3, 4, 1, removed);
    assertEquals(36.0 / 7, out[5], 1e-5);
    assertEquals(41.0 / 7, out[6], 1e-5);
  }

  @Test
  void channelsAreImputedApartAndAffineMapsCommute() {
    // Channel 1 = 2 * channel 0 + 3; the weights sum to one, so the imputations keep that relation.
    Random r = new Random(5);
    int h = 7;
    int w = 9;
    float[] x = new float[h * w * 2];
    boolean[] removed = new boolean[h * w];
    for (int p = 0; p < h * w; p++) {
      x[2 * p] = (float) r.nextGaussian();
      x[2 * p + 1] = 2 * x[2 * p] + 3;
      removed[p] = r.nextDouble() < 0.6;
    }
    float[] out = impute(x, h, w, 2, removed);
    for (int p = 0; p < h * w; p++) {
      assertEquals(2 * out[2 * p] + 3, out[2 * p + 1], 1e-4, "pixel " + p);
    }
  }

  @Test
  void everyImputedPixelSatisfiesItsEquationOnALargeRandomMask() {
    Random r = new Random(11);
    int h = 40;
    int w = 33;
    float[] x = new float[h * w];
    boolean[] removed = new boolean[h * w];
    for (int p = 0; p < h * w; p++) {
      x[p] = (float) (r.nextGaussian() * 3 + p % 7);
      removed[p] = r.nextDouble() < 0.9;
    }
    float[] out = impute(x, h, w, 1, removed);
    int checked = 0;
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        if (!removed[y * w + xx]) {
          assertEquals(x[y * w + xx], out[y * w + xx], 0f);
          continue;
        }
        double s = 0;
        double total = 0;
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int yy = y + dy;
            int xq = xx + dx;
            if ((dy == 0 && dx == 0) || yy < 0 || yy >= h || xq < 0 || xq >= w) {
              continue;
            }
            double weight = dy == 0 || dx == 0 ? 1.0 / 6 : 1.0 / 12;
            s += weight * out[yy * w + xq];
            total += weight;
          }
        }
        assertEquals(s / total, out[y * w + xx], 1e-4, "pixel " + y + ", " + xx);
        checked++;
      }
    }
    assertTrue(checked > 1000, "checked " + checked);
  }

  @Test
  void theNoiseHasTheGivenStandardDeviation() {
    int h = 40;
    int w = 40;
    float[] x = new float[h * w];
    boolean[] removed = new boolean[h * w];
    Random r = new Random(2);
    for (int p = 0; p < h * w; p++) {
      x[p] = (float) r.nextGaussian();
      removed[p] = p % 2 == 0;
    }
    float[] clean = impute(x, h, w, 1, removed);
    float[] noisy = NoisyLinearImputation.impute(x, h, w, 1, removed, 0.5, new SplittableRandom(9));
    double sum = 0;
    double sq = 0;
    int n = 0;
    for (int p = 0; p < h * w; p++) {
      if (removed[p]) {
        double d = noisy[p] - clean[p];
        sum += d;
        sq += d * d;
        n++;
      } else {
        assertEquals(x[p], noisy[p], 0f);
      }
    }
    double mean = sum / n;
    // 800 draws: the mean's standard error is 0.018, the standard deviation's about 0.0125.
    assertEquals(0, mean, 0.07);
    assertEquals(0.5, Math.sqrt(sq / n - mean * mean), 0.05);
  }

  @Test
  void moRFRemovesTheTopPixelAndLeRFTheBottomOne() {
    // p = sigmoid(0.1 * sum - 3), sum 39. The map ranks the centre first and the corner (0, 0) last;
    // 20 % of 9 pixels is floor(1.8) = 1 pixel.
    float[] map = {0f, 0.5f, 0.51f, 0.52f, 1f, 0.53f, 0.54f, 0.55f, 0.56f};
    RoadOptions o = RoadOptions.defaults().withNoise(0).withFractions(0.2);
    try (KerasModel m = LinearModel.ofSum(3, 3, 1, 0.1f, -3)) {
      FloatTensor x = FloatTensor.of(NINE.clone(), 3, 3, 1);
      FloatTensor mp = FloatTensor.of(map, 3, 3);
      RoadCurve morf = Road.curve(m, x, 0, mp, o);
      assertTrue(morf.mostRelevantFirst());
      assertEquals(sigmoid(0.9), morf.original(), 1e-6);
      assertArrayEquals(new double[] {sigmoid(0.1 * (39 - 7 + 19.0 / 6) - 3)}, morf.probabilities(), 1e-6);
      RoadCurve lerf = Road.curve(m, x, 0, mp, o.withMostRelevantFirst(false));
      assertFalse(lerf.mostRelevantFirst());
      assertArrayEquals(new double[] {sigmoid(0.1 * (39 - 9 + 1.8) - 3)}, lerf.probabilities(), 1e-6);
    }
  }

  @Test
  void theDefaultCurveHasNinePointsAndTheSeedFixesTheNoise() {
    try (KerasModel m = LinearModel.ofSum(8, 8, 3, 0.05f, 0)) {
      Random r = new Random(4);
      float[] x = new float[8 * 8 * 3];
      float[] map = new float[16];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < map.length; i++) {
        map[i] = r.nextFloat();
      }
      FloatTensor img = FloatTensor.of(x, 8, 8, 3);
      FloatTensor mp = FloatTensor.of(map, 4, 4);
      RoadCurve a = Road.curve(m, img, 0, mp, RoadOptions.defaults());
      assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, a.fractions(), 0);
      assertEquals(9, a.probabilities().length);
      // The same noise in other batches; TF's batched matmul may differ in the last bit.
      assertArrayEquals(a.probabilities(), Road.curve(m, img, 0, mp, RoadOptions.defaults().withBatchSize(3))
          .probabilities(), 1e-6);
      assertEquals(a, Road.curve(m, img, 0, mp, RoadOptions.defaults()));
      RoadCurve b = Road.curve(m, img, 0, mp, RoadOptions.defaults().withSeed(1));
      assertFalse(java.util.Arrays.equals(a.probabilities(), b.probabilities()), "another seed, other noise");
      assertArrayEquals(a.probabilities(), b.probabilities(), 0.01, "but noise of 0.01 moves little");
    }
  }

  @Test
  void cancellationAndBadOptions() {
    Cancellation c = Cancellation.token();
    c.cancel();
    try (KerasModel m = LinearModel.ofSum(3, 3, 1, 0.1f, 0)) {
      assertThrows(CancelledException.class, () -> Road.curve(m, FloatTensor.of(NINE.clone(), 3, 3, 1), 0,
          FloatTensor.of(new float[9], 3, 3), RoadOptions.defaults().withCancellation(c)));
    }
    assertThrows(InvalidInputException.class, () -> RoadOptions.defaults().withFractions(0.5, 0.4));
    assertThrows(InvalidInputException.class, () -> RoadOptions.defaults().withFractions(1.0));
    assertThrows(InvalidInputException.class, () -> RoadOptions.defaults().withNoise(-1));
  }
}
