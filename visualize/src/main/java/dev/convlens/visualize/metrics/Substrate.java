package dev.convlens.visualize.metrics;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.util.Locale;

/**
 * What removed pixels become in deletion and insertion (and what insertion starts from): a
 * constant in the model's input space ({@link #zero()}: the mean colour for caffe and torch
 * preprocessing, mid grey for tf's [-1, 1]) or the image blurred as RISE does it ({@link #blur()}).
 * Immutable.
 */
public final class Substrate {
  private final boolean blur;
  private final float value;
  private final int kernel;
  private final double sigma;

  private Substrate(boolean blur, float value, int kernel, double sigma) {
    this.blur = blur;
    this.value = value;
    this.kernel = kernel;
    this.sigma = sigma;
  }

  /** Zero in the model's input space: RISE's deletion substrate. */
  public static Substrate zero() {
    return constant(0f);
  }

  /** Every channel of a removed pixel set to {@code value} (input space). */
  public static Substrate constant(float value) {
    if (!Float.isFinite(value)) {
      throw new InvalidInputException("substrate constant must be finite, got " + value);
    }
    return new Substrate(false, value, 0, 0);
  }

  /** RISE's insertion substrate: the image blurred with an 11 x 11 Gaussian kernel of sigma 5. */
  public static Substrate blur() {
    return blur(11, 5);
  }

  /**
   * The image blurred as RISE's {@code gkern(klen, nsig)} does: the kernel is {@code
   * scipy.ndimage.gaussian_filter(delta, sigma)} on a {@code kernel x kernel} grid (the Gaussian,
   * truncated at 4 sigma, folded back at the grid's edges by scipy's reflect mode; it sums to 1),
   * applied per channel with zero padding, so the border darkens towards zero as in RISE.
   */
  public static Substrate blur(int kernel, double sigma) {
    if (kernel < 1 || kernel % 2 == 0) {
      throw new InvalidInputException("blur kernel size must be odd and positive, got " + kernel);
    }
    if (!(sigma > 0) || Double.isInfinite(sigma)) {
      throw new InvalidInputException("blur sigma must be positive, got " + sigma);
    }
    return new Substrate(true, 0, kernel, sigma);
  }

  /** The substrate image for {@code image [H, W, C]}: the same shape. */
  float[] of(FloatTensor image) {
    int h = (int) image.dim(0);
    int w = (int) image.dim(1);
    int c = (int) image.dim(2);
    float[] out = new float[image.data().length];
    if (!blur) {
      java.util.Arrays.fill(out, value);
      return out;
    }
    double[] k = kernel1d(kernel, sigma);
    int r = kernel / 2;
    double[] rows = new double[out.length];
    float[] x = image.data();
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        for (int ch = 0; ch < c; ch++) {
          double s = 0;
          for (int t = -r; t <= r; t++) {
            int sx = xx + t;
            if (sx >= 0 && sx < w) {
              s += k[t + r] * x[(y * w + sx) * c + ch];
            }
          }
          rows[(y * w + xx) * c + ch] = s;
        }
      }
    }
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        for (int ch = 0; ch < c; ch++) {
          double s = 0;
          for (int t = -r; t <= r; t++) {
            int sy = y + t;
            if (sy >= 0 && sy < h) {
              s += k[t + r] * rows[(sy * w + xx) * c + ch];
            }
          }
          out[(y * w + xx) * c + ch] = (float) s;
        }
      }
    }
    return out;
  }

  /**
   * One axis of RISE's kernel: scipy's 1-d Gaussian (radius {@code round(4 sigma)}, normalised)
   * filtering a unit impulse at the centre of {@code length} samples in reflect mode; the 2-d
   * kernel is the outer product of two of these.
   */
  static double[] kernel1d(int length, double sigma) {
    int radius = (int) (4 * sigma + 0.5);
    double[] g = new double[2 * radius + 1];
    double sum = 0;
    for (int t = -radius; t <= radius; t++) {
      g[t + radius] = Math.exp(-0.5 * t * t / (sigma * sigma));
      sum += g[t + radius];
    }
    int centre = length / 2;
    double[] out = new double[length];
    for (int i = 0; i < length; i++) {
      for (int t = -radius; t <= radius; t++) {
        if (reflect(i + t, length) == centre) {
          out[i] += g[t + radius] / sum;
        }
      }
    }
    return out;
  }

  /** scipy's 'reflect' extension (d c b a | a b c d | d c b a): period 2n. */
  private static int reflect(int i, int n) {
    int m = Math.floorMod(i, 2 * n);
    return m < n ? m : 2 * n - 1 - m;
  }

  @Override
  public String toString() {
    return blur ? String.format(Locale.ROOT, "blur(%d, %s)", kernel, sigma) : "constant(" + value + ")";
  }
}
