package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * How to explain: the method, the target layer (null: the last 4-D layer before the classifier),
 * Score-CAM's batch size for masked inputs, a progress listener, which output of a
 * multi-output model (null: the only one), when to stop ({@link #withCancellation}), and the
 * embedding layer {@link Target#similarity} targets compare (null: the output).
 */
public record CamOptions(CamMethod method, @Nullable String layer, int scoreCamBatchSize, CamListener listener, @Nullable String output,
    Cancellation cancellation, @Nullable String embedding) {
  public static final int DEFAULT_SCORE_CAM_BATCH = 32;

  public CamOptions {
    if (method == null || listener == null) {
      throw new InvalidInputException("CAM options need a method and a listener (CamListener.NONE for none), got "
          + method + " and " + listener);
    }
    if (cancellation == null) {
      throw new InvalidInputException("CAM options need a cancellation (Cancellation.none() for none)");
    }
    if (scoreCamBatchSize < 1) {
      throw new InvalidInputException("Score-CAM batch size must be at least 1, got " + scoreCamBatchSize);
    }
  }

  /** The book's Grad-CAM at the default layer. */
  public static CamOptions defaults() {
    return new CamOptions(CamMethod.GRAD_CAM_BOOK, null, DEFAULT_SCORE_CAM_BATCH, CamListener.NONE, null, Cancellation.none(), null);
  }

  public CamOptions withMethod(CamMethod method) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding);
  }

  /** The target layer by Keras name or nested path ({@code vgg16/block5_conv3}); null for the default. */
  public CamOptions withLayer(@Nullable String layer) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding);
  }

  public CamOptions withScoreCamBatchSize(int size) {
    return new CamOptions(method, layer, size, listener, output, cancellation, embedding);
  }

  public CamOptions withListener(CamListener listener) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding);
  }

  /**
   * Which output of a multi-output model to explain, by the name of the layer that produces it
   * ({@code KerasModel.outputNames()}); null for a model's only output.
   */
  public CamOptions withOutput(@Nullable String output) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding);
  }

  /**
   * When explaining stops with {@code CancelledException}: checked before every graph run (one for
   * the gradient methods, one per {@link #scoreCamBatchSize()} masks for Score-CAM); a run once
   * started runs to its end. A deadline counts from when it is made: for a deadline per
   * request, use {@code explainer.withCancellation(Cancellation.after(timeout))}.
   */
  public CamOptions withCancellation(Cancellation cancellation) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding);
  }

  /**
   * The layer (name or nested path) whose output {@link Target#similarity} compares with its
   * reference; null for the model output. Its ops are built with the explainer's.
   */
  public CamOptions withEmbedding(@Nullable String embedding) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding);
  }
}
