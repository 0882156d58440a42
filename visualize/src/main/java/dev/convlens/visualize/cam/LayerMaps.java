package dev.convlens.visualize.cam;

import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One row's view of the target layer: activations {@code A[h, w, k]} and gradients (row-major,
 * channels last, offsets into the fetched batch arrays), and for the methods that run the model
 * once more per channel (Score-CAM's masked inputs, Ablation-CAM's ablated channels) the score of
 * each channel's run, computed on demand by the explainer.
 */
final class LayerMaps {
  final int height;
  final int width;
  final int channels;
  private final float[] activations;
  private final float @Nullable [] gradients;
  private final int offset;
  private final Supplier<double[]> channelScores;

  LayerMaps(int height, int width, int channels, float[] activations, float @Nullable [] gradients, int offset,
      Supplier<double[]> channelScores) {
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.activations = activations;
    this.gradients = gradients;
    this.offset = offset;
    this.channelScores = channelScores;
  }

  int positions() {
    return height * width;
  }

  /** {@code A[p, k]} with {@code p = y * width + x}. */
  float a(int p, int k) {
    return activations[offset + p * channels + k];
  }

  /** {@code dScore/dA[p, k]}. */
  float g(int p, int k) {
    return Objects.requireNonNull(gradients)[offset + p * channels + k];
  }

  boolean hasGradients() {
    return gradients != null;
  }

  /**
   * Per channel, what its own forward run gave: Score-CAM's class score of the input masked by the
   * channel minus the baseline's; Ablation-CAM's relative drop of the target score with the channel zeroed.
   */
  double[] channelScores() {
    return channelScores.get();
  }
}
