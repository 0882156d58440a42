package dev.convlens.visualize.filters;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.visualize.render.Images;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * One rendered objective.
 *
 * @param objective what was maximized
 * @param pixels the picture, {@code [H, W, C]} values 0..255 (not rounded)
 * @param input the picture as the model is fed it (preprocessed, untransformed), {@code [H, W, C]}
 * @param values the objective's value at each step, before that step's update (with that step's
 *     random transformation)
 * @param finalValue the objective's value on the final picture, untransformed
 * @param snapshots pictures ({@code [H, W, C]}, 0..255) every {@code snapshotEvery} steps from the
 *     start, and the final one; empty when snapshots are off
 * @param dead true when the objective's model terms had zero value and zero gradient on every start
 *     tried: nothing was optimized and {@code pixels} is the last start
 * @param starts start pictures tried (1 unless the first was dead)
 */
public record FeatureResult(Objective objective, FloatTensor pixels, FloatTensor input, List<Double> values,
    double finalValue, List<FloatTensor> snapshots, boolean dead, int starts) {
  public FeatureResult {
    values = List.copyOf(values);
    snapshots = List.copyOf(snapshots);
  }

  /** The picture as an RGB image (gray for one-channel models). */
  public BufferedImage image() {
    return Images.rgb(pixels);
  }

  /** The snapshots as images, for an animation ({@code Animation.gif}) or a strip. */
  public List<BufferedImage> snapshotImages() {
    return snapshots.stream().map(Images::rgb).toList();
  }
}
