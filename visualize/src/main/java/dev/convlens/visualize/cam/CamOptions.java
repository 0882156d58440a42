package dev.convlens.visualize.cam;

import dev.convlens.bridge.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * How to explain: the method, the target layer (null: the last 4-D layer before the classifier),
 * Score-CAM's batch size for masked inputs, a progress listener, and which output of a
 * multi-output model (null: the only one).
 */
public record CamOptions(CamMethod method, @Nullable String layer, int scoreCamBatchSize, CamListener listener, @Nullable String output) {
  public static final int DEFAULT_SCORE_CAM_BATCH = 32;

  public CamOptions {
    if (method == null || listener == null) {
      throw new InvalidInputException("CAM options need a method and a listener (CamListener.NONE for none), got "
          + method + " and " + listener);
    }
    if (scoreCamBatchSize < 1) {
      throw new InvalidInputException("Score-CAM batch size must be at least 1, got " + scoreCamBatchSize);
    }
  }

  /** The book's Grad-CAM at the default layer. */
  public static CamOptions defaults() {
    return new CamOptions(CamMethod.GRAD_CAM, null, DEFAULT_SCORE_CAM_BATCH, CamListener.NONE, null);
  }

  public CamOptions withMethod(CamMethod method) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output);
  }

  /** The target layer by Keras name or nested path ({@code vgg16/block5_conv3}); null for the default. */
  public CamOptions withLayer(@Nullable String layer) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output);
  }

  public CamOptions withScoreCamBatchSize(int size) {
    return new CamOptions(method, layer, size, listener, output);
  }

  public CamOptions withListener(CamListener listener) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output);
  }

  /**
   * Which output of a multi-output model to explain, by the name of the layer that produces it
   * ({@code KerasModel.outputNames()}); null for a model's only output.
   */
  public CamOptions withOutput(@Nullable String output) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output);
  }
}
