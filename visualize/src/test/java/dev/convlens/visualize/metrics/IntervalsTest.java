package dev.convlens.visualize.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.InvalidInputException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Wilson interval against its formula, and the bootstrap against the normal approximation of a mean. */
class IntervalsTest {
  private static final double Z95 = 1.959963984540054;

  /** Wilson (1927): (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n). */
  static double wilsonLower(int k, int n) {
    return wilson(k, n, -1);
  }

  static double wilsonUpper(int k, int n) {
    return wilson(k, n, 1);
  }

  private static double wilson(int k, int n, int sign) {
    double p = (double) k / n;
    double z2 = Z95 * Z95;
    return (p + z2 / (2 * n) + sign * Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n))) / (1 + z2 / n);
  }

  @Test
  void wilsonMatchesItsFormula() {
    int[][] cases = {{8, 10}, {0, 20}, {20, 20}, {37, 200}, {1, 1}};
    for (int[] c : cases) {
      Interval i = Intervals.wilson(c[0], c[1]);
      assertEquals(wilsonLower(c[0], c[1]), i.lower(), 1e-9, c[0] + "/" + c[1]);
      assertEquals(wilsonUpper(c[0], c[1]), i.upper(), 1e-9, c[0] + "/" + c[1]);
      assertEquals(0.95, i.confidence(), 0);
    }
    // By hand for 8 of 10: 0.4902 to 0.9433.
    assertEquals(0.4902, Intervals.wilson(8, 10).lower(), 1e-4);
    assertEquals(0.9433, Intervals.wilson(8, 10).upper(), 1e-4);
    assertThrows(InvalidInputException.class, () -> Intervals.wilson(3, 2));
    assertThrows(InvalidInputException.class, () -> Intervals.wilson(0, 0));
  }

  @Test
  void theBootstrapOfAMeanIsCloseToTheNormalIntervalForManyValues() {
    Random r = new Random(1);
    double[] v = new double[400];
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian() * 2 + 1;
      sum += v[i];
    }
    double mean = sum / v.length;
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    double half = Z95 * Math.sqrt(ss / (v.length - 1)) / Math.sqrt(v.length);
    Interval b = Intervals.bootstrapMean(v);
    assertEquals(mean, b.estimate(), 1e-12);
    assertTrue(b.lower() < mean && mean < b.upper());
    // The bootstrap's half-widths vary by a few percent with 1000 resamples.
    assertEquals(half, mean - b.lower(), 0.12 * half);
    assertEquals(half, b.upper() - mean, 0.12 * half);
  }

  @Test
  void theBootstrapIsSeededAndDegenerateForEqualValues() {
    double[] v = {0.1, 0.5, 0.2, 0.9, 0.4, 0.3};
    assertEquals(Intervals.bootstrapMean(v, 500, 0.9, 7), Intervals.bootstrapMean(v, 500, 0.9, 7));
    assertNotEquals(Intervals.bootstrapMean(v, 500, 0.9, 7), Intervals.bootstrapMean(v, 500, 0.9, 8));
    Interval flat = Intervals.bootstrapMean(new double[] {0.3, 0.3, 0.3});
    assertEquals(0.3, flat.lower(), 1e-15);
    assertEquals(0.3, flat.upper(), 1e-15);
    assertThrows(InvalidInputException.class, () -> Intervals.bootstrapMean(new double[0]));
    assertThrows(InvalidInputException.class, () -> Intervals.bootstrapMean(v, 100, 1.0, 0));
  }
}
