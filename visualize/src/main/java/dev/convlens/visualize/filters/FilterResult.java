package dev.convlens.visualize.filters;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.visualize.render.Images;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The pattern one filter responds to most, found by gradient ascent.
 *
 * @param filter the filter (channel) index in the layer
 * @param input the optimized model input {@code [H, W, C]}, raw values as fed to the model
 * @param losses the loss (mean activation of the filter) at each step, evaluated before that
 *     step's update; one entry per step over all octaves
 * @param finalLoss the loss of {@code input}, after the last update (without jitter)
 */
public record FilterResult(int filter, FloatTensor input, List<Double> losses, double finalLoss) {
  public FilterResult {
    losses = List.copyOf(losses);
  }

  /**
   * The deprocessed picture as uint8 values in an {@code [H, W, C]} array: the book's recipe
   * {@code x -= mean; x /= (std + 1e-5); x *= 0.1; x += 0.5; clip 0..1; x *= 255; clip 0..255},
   * truncated to integers (mean and std over the whole image, std with ddof 0).
   */
  public FloatTensor pixels() {
    return Deprocess.toUint8(input);
  }

  /** {@link #pixels()} as an RGB image (gray for one-channel models). */
  public BufferedImage image() {
    return Images.rgb(pixels());
  }
}
