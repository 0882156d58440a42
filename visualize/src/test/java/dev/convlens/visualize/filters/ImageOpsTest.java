package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageOpsTest {
  private static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextDouble(-1, 1);
    }
    return x;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  @Test
  void rollMovesPixelsAndRollsBack() {
    float[] x = random(5 * 4 * 3, 1);
    float[] r = ImageOps.roll(x, 5, 4, 3, 2, -1);
    // pixel (0, 1) lands on (2, 0)
    assertArrayEquals(new float[] {x[3], x[4], x[5]}, new float[] {r[24], r[25], r[26]});
    assertArrayEquals(x, ImageOps.roll(r, 5, 4, 3, -2, 1));
  }

  @Test
  void resizeTransposeIsTheAdjointOfResize() {
    // <R x, y> == <x, R^T y> for upsampling and for downsampling
    int[][] cases = {{7, 5, 16, 12}, {16, 16, 11, 9}, {3, 3, 3, 3}};
    for (int[] s : cases) {
      float[] x = random(s[0] * s[1] * 2, 2);
      float[] y = random(s[2] * s[3] * 2, 3);
      double left = dot(ImageOps.resize(x, s[0], s[1], 2, s[2], s[3]), y);
      double right = dot(x, ImageOps.resizeTranspose(y, s[2], s[3], 2, s[0], s[1]));
      assertEquals(left, right, 1e-4 * Math.max(1, Math.abs(left)));
    }
  }

  @Test
  void resizeKeepsConstantsAndSameSize() {
    float[] c = new float[6 * 6 * 3];
    java.util.Arrays.fill(c, 2.5f);
    for (float v : ImageOps.resize(c, 6, 6, 3, 13, 4)) {
      assertEquals(2.5f, v, 1e-6);
    }
    float[] x = random(6 * 6 * 3, 4);
    assertArrayEquals(x, ImageOps.resize(x, 6, 6, 3, 6, 6), 1e-6f);
  }

  @Test
  void totalVariationGradientMatchesFiniteDifferences() {
    int h = 4;
    int w = 5;
    int c = 2;
    float[] x = random(h * w * c, 5);
    float[] g = ImageOps.totalVariationGradient(x, h, w, c);
    for (int i = 0; i < x.length; i += 7) {
      float[] plus = x.clone();
      float[] minus = x.clone();
      plus[i] += 1e-2f;
      minus[i] -= 1e-2f;
      double numeric = (tv(plus, h, w, c) - tv(minus, h, w, c)) / (plus[i] - minus[i]);
      assertEquals(numeric, g[i], 1e-3);
    }
  }

  /** 1/2 * sum over adjacent pairs of squared differences, directly from the definition. */
  private static double tv(float[] x, int h, int w, int c) {
    double s = 0;
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        for (int ch = 0; ch < c; ch++) {
          double v = x[(y * w + xx) * c + ch];
          if (y + 1 < h) {
            s += Math.pow(v - x[((y + 1) * w + xx) * c + ch], 2);
          }
          if (xx + 1 < w) {
            s += Math.pow(v - x[(y * w + xx + 1) * c + ch], 2);
          }
        }
      }
    }
    return s / 2;
  }

  @Test
  void blurKeepsConstantsAndSmoothsAnImpulse() {
    float[] c = new float[9 * 9];
    java.util.Arrays.fill(c, 3f);
    for (float v : ImageOps.blur(c, 9, 9, 1, 1.0)) {
      assertEquals(3f, v, 1e-5);
    }
    float[] impulse = new float[9 * 9];
    impulse[4 * 9 + 4] = 1;
    float[] b = ImageOps.blur(impulse, 9, 9, 1, 1.0);
    double sum = 0;
    for (float v : b) {
      sum += v;
    }
    assertEquals(1.0, sum, 1e-5); // mass kept away from the edges
    // Gaussian of sigma 1: the 2-D weights at distance 1 and at the center differ by exp(-1/2)
    assertEquals(Math.exp(-0.5), b[4 * 9 + 5] / b[4 * 9 + 4], 1e-5);
  }
}
