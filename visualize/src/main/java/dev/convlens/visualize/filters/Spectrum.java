package dev.convlens.visualize.filters;

import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The constants of the Fourier parameterization for an {@code h x w} picture (Lucid's
 * {@code fft_image}): per-frequency scale {@code sqrt(h w) / max(|f|, 1 / max(h, w))}, the matrices
 * of numpy's {@code irfft2} (with Lucid's final {@code / 4}), its inverse for start pictures, and the
 * colour decorrelation matrix.
 */
final class Spectrum {
  /** Lucid's square root of the ImageNet colour covariance (columns: decorrelated components). */
  private static final double[][] COLOR_CORRELATION_SQRT = {{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05},
      {0.27, -0.09, 0.03}};

  private final int h;
  private final int w;
  private final int wf;

  Spectrum(int h, int w) {
    this.h = h;
    this.w = w;
    this.wf = w / 2 + 1;
  }

  /** numpy's {@code fftfreq(n)[i]}. */
  static double frequency(int i, int n) {
    return (i < (n + 1) / 2 ? i : i - n) / (double) n;
  }

  /** {@code [h][w / 2 + 1]} scale of each spectrum entry. */
  float[][] scale() {
    float[][] s = new float[h][wf];
    double floor = 1.0 / Math.max(h, w);
    for (int u = 0; u < h; u++) {
      for (int v = 0; v < wf; v++) {
        double fy = frequency(u, h);
        double fx = frequency(v, w);
        s[u][v] = (float) (Math.sqrt((double) h * w) / Math.max(Math.sqrt(fy * fy + fx * fx), floor));
      }
    }
    return s;
  }

  /** {@code cos(2 pi h u / H)}, {@code [h][h]}: the inverse DFT along the rows, real part. */
  float[][] rowCos() {
    return rows(false);
  }

  float[][] rowSin() {
    return rows(true);
  }

  private float[][] rows(boolean sin) {
    float[][] m = new float[h][h];
    for (int y = 0; y < h; y++) {
      for (int u = 0; u < h; u++) {
        double a = 2 * Math.PI * ((long) y * u % h) / h;
        m[y][u] = (float) (sin ? Math.sin(a) : Math.cos(a));
      }
    }
    return m;
  }

  /**
   * {@code c_v cos(2 pi v x / W) / (4 H W)}, {@code [w/2+1][w]}: the real inverse DFT along the
   * columns, with numpy's normalization and Lucid's {@code / 4}; {@code c_v} is 1 for the constant
   * and (even widths) the Nyquist column, whose imaginary parts irfft ignores, and 2 otherwise.
   */
  float[][] columnCos() {
    return columns(false);
  }

  float[][] columnSin() {
    return columns(true);
  }

  private float[][] columns(boolean sin) {
    float[][] m = new float[wf][w];
    for (int v = 0; v < wf; v++) {
      double weight = v == 0 || (w % 2 == 0 && v == w / 2) ? 1 : 2;
      for (int x = 0; x < w; x++) {
        double a = 2 * Math.PI * ((long) v * x % w) / w;
        m[v][x] = (float) (weight * (sin ? Math.sin(a) : Math.cos(a)) / (4.0 * h * w));
      }
    }
    return m;
  }

  /**
   * The spectrum whose synthesis is {@code t} (one channel, {@code [h][w]} row-major): numpy's
   * {@code rfft2(4 t)} divided by the scale, as {@code [2][h][w/2+1]} (real, imaginary).
   */
  double[][][] analysis(float[] t, int channel, int channels) {
    float[][] scale = scale();
    double[][] rowRe = new double[h][wf];
    double[][] rowIm = new double[h][wf];
    for (int y = 0; y < h; y++) {
      for (int v = 0; v < wf; v++) {
        double re = 0;
        double im = 0;
        for (int x = 0; x < w; x++) {
          double a = 2 * Math.PI * ((long) v * x % w) / w;
          double value = 4.0 * t[(y * w + x) * channels + channel];
          re += value * Math.cos(a);
          im -= value * Math.sin(a);
        }
        rowRe[y][v] = re;
        rowIm[y][v] = im;
      }
    }
    double[][][] out = new double[2][h][wf];
    for (int u = 0; u < h; u++) {
      for (int v = 0; v < wf; v++) {
        double re = 0;
        double im = 0;
        for (int y = 0; y < h; y++) {
          double a = 2 * Math.PI * ((long) u * y % h) / h;
          double cos = Math.cos(a);
          double sin = Math.sin(a);
          re += rowRe[y][v] * cos + rowIm[y][v] * sin;
          im += rowIm[y][v] * cos - rowRe[y][v] * sin;
        }
        out[0][u][v] = re / scale[u][v];
        out[1][u][v] = im / scale[u][v];
      }
    }
    return out;
  }

  /** The decorrelation as a right factor: {@code rgb = t . D} with {@code D = (C / max column norm)^T}. */
  static float[][] decorrelationTransposed() {
    double[][] d = normalizedCorrelation().transpose().getData();
    float[][] f = new float[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        f[i][j] = (float) d[i][j];
      }
    }
    return f;
  }

  /** The inverse of {@link #decorrelationTransposed()}: decorrelated values of a colour. */
  static double[][] decorrelationInverse() {
    return MatrixUtils.inverse(normalizedCorrelation().transpose()).getData();
  }

  private static RealMatrix normalizedCorrelation() {
    RealMatrix m = MatrixUtils.createRealMatrix(COLOR_CORRELATION_SQRT);
    double max = 0;
    for (int j = 0; j < 3; j++) {
      max = Math.max(max, m.getColumnVector(j).getNorm());
    }
    return m.scalarMultiply(1 / max);
  }
}
