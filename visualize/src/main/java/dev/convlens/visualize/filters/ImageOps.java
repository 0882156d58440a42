package dev.convlens.visualize.filters;

/**
 * The pixel operations of the regularizers, on one row-major {@code [h, w, c]} image in a float
 * array: circular shift, Gaussian blur, the total-variation gradient, and bilinear resizing with
 * its exact transpose (the gradient of resizing, for the octave parameterization).
 */
final class ImageOps {
  private ImageOps() {}

  /** The image shifted by {@code dy} rows and {@code dx} columns, wrapping around (numpy's roll). */
  static float[] roll(float[] x, int h, int w, int c, int dy, int dx) {
    float[] out = new float[x.length];
    for (int y = 0; y < h; y++) {
      int ty = Math.floorMod(y + dy, h);
      for (int xx = 0; xx < w; xx++) {
        int tx = Math.floorMod(xx + dx, w);
        System.arraycopy(x, (y * w + xx) * c, out, (ty * w + tx) * c, c);
      }
    }
    return out;
  }

  /** Separable Gaussian blur with standard deviation {@code sigma} px, radius 3 sigma, edges mirrored. */
  static float[] blur(float[] x, int h, int w, int c, double sigma) {
    int r = Math.max(1, (int) Math.ceil(3 * sigma));
    double[] k = new double[2 * r + 1];
    double total = 0;
    for (int i = -r; i <= r; i++) {
      k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
      total += k[i + r];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= total;
    }
    float[] rows = new float[x.length];
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        for (int ch = 0; ch < c; ch++) {
          double s = 0;
          for (int i = -r; i <= r; i++) {
            s += k[i + r] * x[(y * w + mirror(xx + i, w)) * c + ch];
          }
          rows[(y * w + xx) * c + ch] = (float) s;
        }
      }
    }
    float[] out = new float[x.length];
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        for (int ch = 0; ch < c; ch++) {
          double s = 0;
          for (int i = -r; i <= r; i++) {
            s += k[i + r] * rows[(mirror(y + i, h) * w + xx) * c + ch];
          }
          out[(y * w + xx) * c + ch] = (float) s;
        }
      }
    }
    return out;
  }

  private static int mirror(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }

  /**
   * The gradient of {@code TV(x) = 1/2 * sum over horizontally and vertically adjacent pixels of
   * (x_p - x_q)^2}, per channel: {@code dTV/dx_p = sum over neighbours q of (x_p - x_q)}.
   */
  static float[] totalVariationGradient(float[] x, int h, int w, int c) {
    float[] g = new float[x.length];
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        for (int ch = 0; ch < c; ch++) {
          int at = (y * w + xx) * c + ch;
          double s = 0;
          if (y > 0) {
            s += x[at] - x[at - w * c];
          }
          if (y < h - 1) {
            s += x[at] - x[at + w * c];
          }
          if (xx > 0) {
            s += x[at] - x[at - c];
          }
          if (xx < w - 1) {
            s += x[at] - x[at + c];
          }
          g[at] = (float) s;
        }
      }
    }
    return g;
  }

  /** Bilinear resize from {@code [h, w, c]} to {@code [oh, ow, c]} with half-pixel centers (tf.image.resize). */
  static float[] resize(float[] x, int h, int w, int c, int oh, int ow) {
    Axis ys = new Axis(h, oh);
    Axis xs = new Axis(w, ow);
    float[] out = new float[oh * ow * c];
    for (int y = 0; y < oh; y++) {
      for (int xx = 0; xx < ow; xx++) {
        for (int ch = 0; ch < c; ch++) {
          double top = xs.w0[xx] * x[(ys.i0[y] * w + xs.i0[xx]) * c + ch] + xs.w1[xx] * x[(ys.i0[y] * w + xs.i1[xx]) * c + ch];
          double bottom = xs.w0[xx] * x[(ys.i1[y] * w + xs.i0[xx]) * c + ch] + xs.w1[xx] * x[(ys.i1[y] * w + xs.i1[xx]) * c + ch];
          out[(y * ow + xx) * c + ch] = (float) (ys.w0[y] * top + ys.w1[y] * bottom);
        }
      }
    }
    return out;
  }

  /**
   * The transpose of {@link #resize}: maps a gradient wrt the {@code [oh, ow, c]} output back to the
   * {@code [h, w, c]} input, so ascent on a small picture that is upsampled to the model input is exact.
   */
  static float[] resizeTranspose(float[] g, int oh, int ow, int c, int h, int w) {
    Axis ys = new Axis(h, oh);
    Axis xs = new Axis(w, ow);
    double[] acc = new double[h * w * c];
    for (int y = 0; y < oh; y++) {
      for (int xx = 0; xx < ow; xx++) {
        for (int ch = 0; ch < c; ch++) {
          double v = g[(y * ow + xx) * c + ch];
          acc[(ys.i0[y] * w + xs.i0[xx]) * c + ch] += ys.w0[y] * xs.w0[xx] * v;
          acc[(ys.i0[y] * w + xs.i1[xx]) * c + ch] += ys.w0[y] * xs.w1[xx] * v;
          acc[(ys.i1[y] * w + xs.i0[xx]) * c + ch] += ys.w1[y] * xs.w0[xx] * v;
          acc[(ys.i1[y] * w + xs.i1[xx]) * c + ch] += ys.w1[y] * xs.w1[xx] * v;
        }
      }
    }
    float[] out = new float[acc.length];
    for (int i = 0; i < acc.length; i++) {
      out[i] = (float) acc[i];
    }
    return out;
  }

  /** For each output index along one axis: the two source indices and their weights. */
  private static final class Axis {
    final int[] i0;
    final int[] i1;
    final double[] w0;
    final double[] w1;

    Axis(int in, int out) {
      i0 = new int[out];
      i1 = new int[out];
      w0 = new double[out];
      w1 = new double[out];
      double scale = (double) in / out;
      for (int i = 0; i < out; i++) {
        double src = Math.min(in - 1, Math.max(0, (i + 0.5) * scale - 0.5));
        i0[i] = (int) Math.floor(src);
        i1[i] = Math.min(i0[i] + 1, in - 1);
        w1[i] = src - i0[i];
        w0[i] = 1 - w1[i];
      }
    }
  }
}
