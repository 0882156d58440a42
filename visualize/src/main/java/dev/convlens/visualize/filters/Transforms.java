package dev.convlens.visualize.filters;

import dev.convlens.bridge.InvalidInputException;
import java.util.SplittableRandom;

/**
 * Transformation robustness (Lucid's "standard transforms"): before every step the image is
 * shifted, scaled and rotated by a random amount, as one bilinear resampling at the same size
 * (edges repeated), so only patterns that survive small moves keep their activation.
 *
 * @param jitter largest shift in pixels, each axis (uniform integer in {@code [-jitter, jitter]}); 0 = none
 * @param minScale smallest scale factor (about the image center); 1 with {@code maxScale} 1 = none
 * @param maxScale largest scale factor
 * @param maxRotationDegrees largest rotation either way (uniform integer degrees); 0 = none
 */
public record Transforms(int jitter, double minScale, double maxScale, int maxRotationDegrees) {
  public Transforms {
    if (jitter < 0 || jitter > 64) {
      throw new InvalidInputException("transforms: jitter must be 0..64 pixels, got " + jitter);
    }
    if (!(minScale > 0) || !(maxScale >= minScale) || maxScale > 4 || !Double.isFinite(minScale)) {
      throw new InvalidInputException("transforms: need 0 < minScale <= maxScale <= 4, got " + minScale + ", " + maxScale);
    }
    if (maxRotationDegrees < 0 || maxRotationDegrees > 180) {
      throw new InvalidInputException("transforms: maxRotationDegrees must be 0..180, got " + maxRotationDegrees);
    }
  }

  /** No transformation: the model sees the image as it is. */
  public static Transforms none() {
    return new Transforms(0, 1, 1, 0);
  }

  /** Lucid's standard set in one resampling: shift up to 8 px, scale 0.9..1.1 in steps of 0.02, rotation up to 10 degrees. */
  public static Transforms standard() {
    return new Transforms(8, 0.9, 1.1, 10);
  }

  public Transforms withJitter(int jitter) {
    return new Transforms(jitter, minScale, maxScale, maxRotationDegrees);
  }

  public Transforms withScale(double minScale, double maxScale) {
    return new Transforms(jitter, minScale, maxScale, maxRotationDegrees);
  }

  public Transforms withMaxRotationDegrees(int maxRotationDegrees) {
    return new Transforms(jitter, minScale, maxScale, maxRotationDegrees);
  }

  /** True when every draw is the identity. */
  public boolean isNone() {
    return jitter == 0 && minScale == 1 && maxScale == 1 && maxRotationDegrees == 0;
  }

  /** One random transformation; scales are drawn from 11 evenly spaced values, as Lucid's list. */
  Draw draw(SplittableRandom random) {
    int dy = jitter == 0 ? 0 : random.nextInt(-jitter, jitter + 1);
    int dx = jitter == 0 ? 0 : random.nextInt(-jitter, jitter + 1);
    double scale = minScale == maxScale ? minScale : minScale + (maxScale - minScale) * random.nextInt(11) / 10.0;
    int degrees = maxRotationDegrees == 0 ? 0 : random.nextInt(-maxRotationDegrees, maxRotationDegrees + 1);
    return new Draw(dy, dx, scale, Math.toRadians(degrees));
  }

  /**
   * One transformation: the output pixel {@code (y, x)} samples the input at
   * {@code c + R(-angle) (p - c - (dy, dx)) / scale}, {@code c} the image center, bilinearly, with
   * coordinates clamped to the image (edges repeated).
   */
  record Draw(int dy, int dx, double scale, double radians) {
    static final Draw IDENTITY = new Draw(0, 0, 1, 0);

    /**
     * The source map as 6 numbers {@code (a, b, e, c, d, f)}: {@code sy = a*y + b*x + e},
     * {@code sx = c*y + d*x + f}, in pixel indices.
     */
    float[] sourceMap(int height, int width) {
      double cy = (height - 1) / 2.0;
      double cx = (width - 1) / 2.0;
      double cos = Math.cos(radians) / scale;
      double sin = Math.sin(radians) / scale;
      // u = y - cy - dy, v = x - cx - dx; sy = cy + cos*u + sin*v; sx = cx - sin*u + cos*v
      double e = cy - cos * (cy + dy) - sin * (cx + dx);
      double f = cx + sin * (cy + dy) - cos * (cx + dx);
      return new float[] {(float) cos, (float) sin, (float) e, (float) -sin, (float) cos, (float) f};
    }

    /** This transformation of one row-major {@code [h, w, c]} image, in Java (the graph does the same). */
    float[] apply(float[] x, int h, int w, int c) {
      float[] m = sourceMap(h, w);
      float[] out = new float[x.length];
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          float sy = Math.min(h - 1, Math.max(0, m[0] * y + m[1] * xx + m[2]));
          float sx = Math.min(w - 1, Math.max(0, m[3] * y + m[4] * xx + m[5]));
          int y0 = (int) Math.floor(sy);
          int x0 = (int) Math.floor(sx);
          int y1 = Math.min(h - 1, y0 + 1);
          int x1 = Math.min(w - 1, x0 + 1);
          float wy = sy - y0;
          float wx = sx - x0;
          for (int ch = 0; ch < c; ch++) {
            float top = (1 - wx) * x[(y0 * w + x0) * c + ch] + wx * x[(y0 * w + x1) * c + ch];
            float bottom = (1 - wx) * x[(y1 * w + x0) * c + ch] + wx * x[(y1 * w + x1) * c + ch];
            out[(y * w + xx) * c + ch] = (1 - wy) * top + wy * bottom;
          }
        }
      }
      return out;
    }
  }
}
