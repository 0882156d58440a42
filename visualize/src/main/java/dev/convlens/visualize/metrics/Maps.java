package dev.convlens.visualize.metrics;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.visualize.render.Resize;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Checks and reshapes the metrics' arguments: images, maps, their resizing and the pixel order a map gives. */
final class Maps {
  private Maps() {}

  /** {@code image} as one {@code [H, W, C]} image (a batch of one is unwrapped). */
  static FloatTensor oneImage(FloatTensor image, String metric) {
    InvalidInputException.requireNonNull(image, metric + ": image");
    if (image.rank() == 4 && image.dim(0) == 1) {
      return image.slice(0);
    }
    if (image.rank() != 3) {
      throw new InvalidInputException(metric + " takes one image [H, W, C] or a batch of one [1, H, W, C]; got shape "
          + Arrays.toString(image.shape()));
    }
    return image;
  }

  /**
   * {@code map [h, w]} resized bilinearly to {@code height x width}: half-pixel centers and clamped
   * edges, the convention of {@code Heatmap.upsampled}, {@code cv2.resize} and {@code tf.image.resize}.
   * The same size is returned unchanged.
   */
  static float[] resized(FloatTensor map, int height, int width, String metric) {
    InvalidInputException.requireNonNull(map, metric + ": map");
    if (map.rank() != 2 || map.dim(0) < 1 || map.dim(1) < 1) {
      throw new InvalidInputException(metric + " takes a map [h, w] (reduce the channels of an input-space"
          + " attribution first); got shape " + Arrays.toString(map.shape()));
    }
    for (float v : map.data()) {
      if (!Float.isFinite(v)) {
        throw new InvalidInputException(metric + ": the map holds a non-finite value (" + v + ")");
      }
    }
    return Resize.bilinear(map.data(), (int) map.dim(0), (int) map.dim(1), height, width);
  }

  /**
   * The pixel indices from the highest map value to the lowest. Equal values come in a random
   * order drawn from {@code seed}: raster order would remove flat regions (a CAM's zeros) from the
   * top rows first, which is a choice the map did not make.
   */
  static int[] descending(float[] values, long seed) {
    int n = values.length;
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      Integer t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    // A stable sort keeps the shuffled order among equal values.
    Arrays.sort(idx, (a, b) -> Float.compare(values[b], values[a]));
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  static int positiveInt(int v, String what) {
    if (v < 1) {
      throw new InvalidInputException(what + " must be at least 1, got " + v);
    }
    return v;
  }
}
