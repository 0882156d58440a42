package dev.convlens.visualize.metrics;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.util.Arrays;

/**
 * The pointing game (Zhang et al., "Top-down Neural Attention by Excitation Backprop", IJCV 2018):
 * a map hits when its maximum, taken at image resolution (the map resized bilinearly), lies
 * within {@code tolerance} pixels (Euclidean) of the object's box or mask; the paper uses 15. The
 * first maximum in raster order counts; a constant map points nowhere and misses. Over many
 * images the hit rate goes with a Wilson interval ({@link #hitRate}).
 */
public final class PointingGame {
  /** The paper's tolerance in pixels. */
  public static final int PAPER_TOLERANCE = 15;

  private PointingGame() {}

  /** Whether {@code map}'s maximum on an image of {@code height x width} lies within {@code tolerance} of {@code box}. */
  public static boolean hit(FloatTensor map, int height, int width, Box box, int tolerance) {
    InvalidInputException.requireNonNull(box, "pointing game: box");
    if (box.right() > width || box.bottom() > height) {
      throw new InvalidInputException("pointing game: " + box + " reaches outside the " + height + "x" + width
          + " image");
    }
    int at = maximum(map, height, width, tolerance);
    return at >= 0 && box.distance(at % width, at / width) <= tolerance;
  }

  /**
   * Whether {@code map}'s maximum lies within {@code tolerance} of a pixel of {@code mask [H, W]}
   * (a pixel belongs to the object when its mask value is above 0.5); the image size is the mask's.
   */
  public static boolean hit(FloatTensor map, FloatTensor mask, int tolerance) {
    InvalidInputException.requireNonNull(mask, "pointing game: mask");
    if (mask.rank() != 2) {
      throw new InvalidInputException("pointing game takes a mask [H, W]; got shape " + Arrays.toString(mask.shape()));
    }
    int height = (int) mask.dim(0);
    int width = (int) mask.dim(1);
    int at = maximum(map, height, width, tolerance);
    if (at < 0) {
      return false;
    }
    int x = at % width;
    int y = at / width;
    float[] m = mask.data();
    long t2 = (long) tolerance * tolerance;
    for (int yy = Math.max(0, y - tolerance); yy <= Math.min(height - 1, y + tolerance); yy++) {
      for (int xx = Math.max(0, x - tolerance); xx <= Math.min(width - 1, x + tolerance); xx++) {
        long d2 = (long) (xx - x) * (xx - x) + (long) (yy - y) * (yy - y);
        if (d2 <= t2 && m[yy * width + xx] > 0.5f) {
          return true;
        }
      }
    }
    return false;
  }

  /** The hit rate of {@code hits} in {@code trials} with its 95 % Wilson score interval. */
  public static Interval hitRate(int hits, int trials) {
    return Intervals.wilson(hits, trials);
  }

  /** The index {@code y * width + x} of the resized map's first maximum, or -1 for a constant map. */
  static int maximum(FloatTensor map, int height, int width, int tolerance) {
    if (height < 1 || width < 1) {
      throw new InvalidInputException("pointing game: image size must be positive, got " + height + "x" + width);
    }
    if (tolerance < 0) {
      throw new InvalidInputException("pointing game: tolerance must be 0 or more pixels, got " + tolerance);
    }
    float[] m = Maps.resized(map, height, width, "pointing game");
    int best = 0;
    float min = m[0];
    for (int i = 1; i < m.length; i++) {
      best = m[i] > m[best] ? i : best;
      min = Math.min(min, m[i]);
    }
    return m[best] > min ? best : -1;
  }
}
