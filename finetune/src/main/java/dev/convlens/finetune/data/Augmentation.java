package dev.convlens.finetune.data;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.util.SplittableRandom;

/**
 * Random image augmentation as Keras' {@code ImageDataGenerator} does it (keras_preprocessing
 * 1.1 {@code get_random_transform} + {@code apply_affine_transform}): one affine transform
 * composed of rotation, shift, shear and zoom about the image centre, sampled with linear
 * interpolation (Keras' {@code interpolation_order=1}) and {@code fill_mode='nearest'} (points
 * outside take the nearest edge pixel), then an optional horizontal flip. Applied to raw pixels
 * before preprocessing, as {@code flow_from_directory} does.
 *
 * <p>Ranges use Keras' units: rotation and shear in degrees, shifts as a fraction of the image size
 * (or pixels when at least 1), zoom {@code z} meaning a factor in {@code [1 - z, 1 + z]} per axis.
 * Random draws come from a {@link SplittableRandom} seeded by the caller, in Keras' order, so the
 * result is deterministic for a seed (not numpy-identical). Immutable.
 */
public record Augmentation(double rotationRange, double widthShiftRange, double heightShiftRange, double shearRange,
    double zoomRange, boolean horizontalFlip) {
  public Augmentation {
    requireRange("rotationRange", rotationRange);
    requireRange("widthShiftRange", widthShiftRange);
    requireRange("heightShiftRange", heightShiftRange);
    requireRange("shearRange", shearRange);
    requireRange("zoomRange", zoomRange);
    if (zoomRange >= 1) {
      throw new InvalidInputException("zoomRange must be below 1 (a factor in [1 - z, 1 + z]), got " + zoomRange);
    }
  }

  private static void requireRange(String name, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new InvalidInputException(name + " must be a finite number >= 0, got " + v);
    }
  }

  /** No augmentation. */
  public static Augmentation none() {
    return new Augmentation(0, 0, 0, 0, 0, false);
  }

  /**
   * The book's generator: {@code rotation_range=40, width_shift_range=0.2, height_shift_range=0.2,
   * shear_range=0.2, zoom_range=0.2, horizontal_flip=True, fill_mode='nearest'}.
   */
  public static Augmentation book() {
    return new Augmentation(40, 0.2, 0.2, 0.2, 0.2, true);
  }

  public Augmentation withRotationRange(double degrees) {
    return new Augmentation(degrees, widthShiftRange, heightShiftRange, shearRange, zoomRange, horizontalFlip);
  }

  public Augmentation withWidthShiftRange(double v) {
    return new Augmentation(rotationRange, v, heightShiftRange, shearRange, zoomRange, horizontalFlip);
  }

  public Augmentation withHeightShiftRange(double v) {
    return new Augmentation(rotationRange, widthShiftRange, v, shearRange, zoomRange, horizontalFlip);
  }

  public Augmentation withShearRange(double degrees) {
    return new Augmentation(rotationRange, widthShiftRange, heightShiftRange, degrees, zoomRange, horizontalFlip);
  }

  public Augmentation withZoomRange(double z) {
    return new Augmentation(rotationRange, widthShiftRange, heightShiftRange, shearRange, z, horizontalFlip);
  }

  public Augmentation withHorizontalFlip(boolean on) {
    return new Augmentation(rotationRange, widthShiftRange, heightShiftRange, shearRange, zoomRange, on);
  }

  /** True when every range is zero and there is no flip: {@link #apply} returns its input unchanged. */
  public boolean isIdentity() {
    return rotationRange == 0 && widthShiftRange == 0 && heightShiftRange == 0 && shearRange == 0 && zoomRange == 0
        && !horizontalFlip;
  }

  /** A randomly transformed copy of an {@code [H, W, C]} image; the same seed gives the same result. */
  public FloatTensor apply(FloatTensor hwc, long seed) {
    if (hwc.rank() != 3) {
      throw new InvalidInputException("augmentation expects one [H, W, C] image, got shape "
          + java.util.Arrays.toString(hwc.shape()));
    }
    if (isIdentity()) {
      return hwc;
    }
    SplittableRandom r = new SplittableRandom(seed);
    int h = (int) hwc.dim(0);
    int w = (int) hwc.dim(1);
    // Keras' draw order: theta, tx (height shift), ty (width shift), shear, zx and zy, flip.
    double theta = rotationRange > 0 ? Math.toRadians(uniform(r, rotationRange)) : 0;
    double tx = heightShiftRange > 0 ? uniform(r, heightShiftRange) * (heightShiftRange < 1 ? h : 1) : 0;
    double ty = widthShiftRange > 0 ? uniform(r, widthShiftRange) * (widthShiftRange < 1 ? w : 1) : 0;
    double shear = shearRange > 0 ? Math.toRadians(uniform(r, shearRange)) : 0;
    double zx = 1;
    double zy = 1;
    if (zoomRange > 0) {
      zx = 1 - zoomRange + r.nextDouble() * 2 * zoomRange;
      zy = 1 - zoomRange + r.nextDouble() * 2 * zoomRange;
    }
    boolean flip = horizontalFlip && r.nextDouble() < 0.5;
    return transform(hwc, theta, tx, ty, shear, zx, zy, flip);
  }

  private static double uniform(SplittableRandom r, double range) {
    return -range + r.nextDouble() * 2 * range;
  }

  /**
   * Keras' {@code apply_affine_transform} with explicit parameters (radians, pixels, factors), then
   * the flip: {@code M = rotation @ shift @ shear @ zoom}, centred with offsets {@code h/2 + 0.5},
   * {@code w/2 + 0.5}, its x/y axes swapped as keras_preprocessing 1.1 does, and each output pixel
   * {@code (i, j)} sampled at {@code M' (i, j, 1)}.
   */
  static FloatTensor transform(FloatTensor hwc, double theta, double tx, double ty, double shear, double zx, double zy,
      boolean flip) {
    int h = (int) hwc.dim(0);
    int w = (int) hwc.dim(1);
    int ch = (int) hwc.dim(2);
    double[][] m = identity();
    if (theta != 0) {
      m = times(m, new double[][] {{Math.cos(theta), -Math.sin(theta), 0}, {Math.sin(theta), Math.cos(theta), 0}, {0, 0, 1}});
    }
    if (tx != 0 || ty != 0) {
      m = times(m, new double[][] {{1, 0, tx}, {0, 1, ty}, {0, 0, 1}});
    }
    if (shear != 0) {
      m = times(m, new double[][] {{1, -Math.sin(shear), 0}, {0, Math.cos(shear), 0}, {0, 0, 1}});
    }
    if (zx != 1 || zy != 1) {
      m = times(m, new double[][] {{zx, 0, 0}, {0, zy, 0}, {0, 0, 1}});
    }
    double ox = h / 2.0 + 0.5;
    double oy = w / 2.0 + 0.5;
    m = times(times(new double[][] {{1, 0, ox}, {0, 1, oy}, {0, 0, 1}}, m), new double[][] {{1, 0, -ox}, {0, 1, -oy}, {0, 0, 1}});
    // M' = P M P with P swapping the first two coordinates (x, y matrix on i, j arrays).
    double a = m[1][1];
    double b = m[1][0];
    double c = m[1][2];
    double d = m[0][1];
    double e = m[0][0];
    double f = m[0][2];
    float[] in = hwc.data();
    float[] out = new float[in.length];
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++) {
        double si = a * i + b * j + c;
        double sj = d * i + e * j + f;
        int i0 = (int) Math.floor(si);
        int j0 = (int) Math.floor(sj);
        double fi = si - i0;
        double fj = sj - j0;
        int r0 = clamp(i0, h);
        int r1 = clamp(i0 + 1, h);
        int c0 = clamp(j0, w);
        int c1 = clamp(j0 + 1, w);
        int target = (i * w + (flip ? w - 1 - j : j)) * ch;
        for (int k = 0; k < ch; k++) {
          double top = in[(r0 * w + c0) * ch + k] * (1 - fj) + in[(r0 * w + c1) * ch + k] * fj;
          double bottom = in[(r1 * w + c0) * ch + k] * (1 - fj) + in[(r1 * w + c1) * ch + k] * fj;
          out[target + k] = (float) (top * (1 - fi) + bottom * fi);
        }
      }
    }
    return new FloatTensor(hwc.shape().clone(), out);
  }

  private static int clamp(int v, int size) {
    return v < 0 ? 0 : (v >= size ? size - 1 : v);
  }

  private static double[][] identity() {
    return new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  }

  private static double[][] times(double[][] x, double[][] y) {
    double[][] z = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 3; k++) {
          z[i][j] += x[i][k] * y[k][j];
        }
      }
    }
    return z;
  }
}
