package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.visualize.render.Colormap;
import dev.convlens.visualize.render.Images;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Heatmaps as pictures, the book's way: the normalised map is resized bilinearly to the photo,
 * quantised as {@code np.uint8(255 * heatmap)}, colored (JET in the book, or viridis) and added
 * to the photo: {@code superimposed = heatmap_rgb * alpha + image}.
 */
public final class Overlay {
  /** The book's weight of the heatmap in the overlay. */
  public static final double BOOK_ALPHA = 0.4;

  private Overlay() {}

  /**
   * The heatmap over {@code image} ({@code [H, W, 3]} or grayscale {@code [H, W, 1]}, values 0..255,
   * e.g. {@code KerasImages.loadImg(file)} at the photo's own size). The sum is clipped to 0..255
   * and truncated to 8 bits (as {@code np.clip(...).astype('uint8')}); the book's {@code cv2.imwrite}
   * saturates the same way but rounds, so pixels may differ from it by one level.
   */
  public static BufferedImage superimpose(FloatTensor image, Heatmap heatmap, Colormap map, double alpha) {
    if (image == null || image.rank() != 3 || (image.dim(2) != 3 && image.dim(2) != 1)) {
      throw new InvalidInputException("overlay needs an [H, W, 3] or [H, W, 1] image, got "
          + (image == null ? "null" : Arrays.toString(image.shape())));
    }
    if (!(alpha >= 0)) {
      throw new InvalidInputException("overlay alpha must be >= 0, got " + alpha);
    }
    int h = (int) image.dim(0);
    int w = (int) image.dim(1);
    int c = (int) image.dim(2);
    float[] colors = colored(heatmap.upsampled(h, w), map).data();
    float[] px = image.data();
    float[] out = new float[h * w * 3];
    for (int p = 0; p < h * w; p++) {
      for (int ch = 0; ch < 3; ch++) {
        float v = px[p * c + (c == 3 ? ch : 0)];
        out[p * 3 + ch] = (float) (colors[p * 3 + ch] * alpha + v);
      }
    }
    return Images.rgb(FloatTensor.of(out, h, w, 3));
  }

  /** The heatmap alone, colored, at its own resolution resized to {@code height x width}. */
  public static BufferedImage heatmapImage(Heatmap heatmap, int height, int width, Colormap map) {
    return Images.rgb(colored(heatmap.upsampled(height, width), map));
  }

  /** {@code [H, W]} values in [0, 1] to {@code [H, W, 3]} colors 0..255 through {@code map} at index {@code uint8(255 v)}. */
  static FloatTensor colored(FloatTensor values, Colormap map) {
    float[] v = values.data();
    float[] rgb = new float[v.length * 3];
    for (int i = 0; i < v.length; i++) {
      int index = v[i] > 0 ? Math.min(255, (int) (255 * v[i])) : 0;
      int color = map.rgb((index + 0.5) / 256.0); // Colormap indexes floor(t * 256): this is entry `index`
      rgb[i * 3] = (color >> 16) & 0xff;
      rgb[i * 3 + 1] = (color >> 8) & 0xff;
      rgb[i * 3 + 2] = color & 0xff;
    }
    return FloatTensor.of(rgb, values.dim(0), values.dim(1), 3);
  }
}
