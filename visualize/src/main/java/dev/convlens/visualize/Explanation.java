package dev.convlens.visualize;

import dev.convlens.bridge.image.Prediction;
import dev.convlens.visualize.cam.Heatmap;
import dev.convlens.visualize.render.Images;
import java.awt.image.BufferedImage;

/**
 * One class explained on one image: the class, its map, and the map drawn over the image.
 *
 * @param target the explained class with its name and score
 * @param layer the layer the map was computed on
 * @param heatmap the map at that layer's resolution ({@link Heatmap#normalized()} in [0, 1])
 * @param overlay the map over the image at the image's own size (do not modify it)
 */
public record Explanation(Prediction target, String layer, Heatmap heatmap, BufferedImage overlay) {
  /** The overlay as PNG bytes. */
  public byte[] overlayPng() {
    return Images.png(overlay);
  }

  /** The overlay as JPEG bytes (quality 0.9). */
  public byte[] overlayJpeg() {
    return Images.jpeg(overlay, 0.9f);
  }
}
