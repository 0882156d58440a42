package dev.convlens.visualize.cam;

import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One row's view of the target layer: activations {@code A[h, w, k]} and gradients (row-major,
 * channels last, offsets into the fetched batch arrays), and for Score-CAM the score increase of
 * each channel's masked input, computed on demand by the explainer.
 */
final class LayerMaps {
  final int height;
  final int width;
  final int channels;
  private final float[] activations;
  private final float @Nullable [] gradients;
  private final int offset;
  private final Supplier<double[]> maskedScoreIncrease;

  LayerMaps(int height, int width, int channels, float[] activations, float @Nullable [] gradients, int offset,
      Supplier<double[]> maskedScoreIncrease) {
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.activations = activations;
    this.gradients = gradients;
    this.offset = offset;
    this.maskedScoreIncrease = maskedScoreIncrease;
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

  /** Score-CAM: per channel, the class score of the input masked by that channel minus the baseline's. */
  double[] maskedScoreIncrease() {
    return maskedScoreIncrease.get();
  }
}
