package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * How to explain: the method (or a user's own, {@link #withCustomMethod}), the target layer (null:
 * the last 4-D layer before the classifier), the batch size of the extra forward runs (Score-CAM's
 * masked inputs, Ablation-CAM's ablated channels), a progress listener, which output of a
 * multi-output model (null: the only one), when to stop ({@link #withCancellation}), the
 * embedding layer {@link Target#similarity} targets compare (null: the output),
 * Faster-Score-CAM's channel count, and pytorch-grad-cam's two smoothings.
 */
public record CamOptions(CamMethod method, @Nullable String layer, int scoreCamBatchSize, CamListener listener, @Nullable String output,
    Cancellation cancellation, @Nullable String embedding, int fasterScoreCamChannels, boolean eigenSmooth, boolean augSmooth,
    @Nullable CustomCam customMethod) {
  public static final int DEFAULT_SCORE_CAM_BATCH = 32;
  /** tf-keras-vis' example value of {@code max_N}, and issue 15's. */
  public static final int DEFAULT_FASTER_SCORE_CAM_CHANNELS = 10;

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
    if (fasterScoreCamChannels < 1) {
      throw new InvalidInputException("Faster-Score-CAM channel count must be at least 1, got " + fasterScoreCamChannels);
    }
  }

  /** The book's Grad-CAM at the default layer. */
  public static CamOptions defaults() {
    return new CamOptions(CamMethod.GRAD_CAM_BOOK, null, DEFAULT_SCORE_CAM_BATCH, CamListener.NONE, null, Cancellation.none(), null,
        DEFAULT_FASTER_SCORE_CAM_CHANNELS, false, false, null);
  }

  /** A built-in method; replaces a custom one. */
  public CamOptions withMethod(CamMethod method) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding, fasterScoreCamChannels,
        eigenSmooth, augSmooth, null);
  }

  /**
   * A user's own method ({@link CustomCam}) in place of {@link #method()}; null goes back to
   * {@link #method()}. Smoothing, layer, output and cancellation apply to it as to the built-ins.
   */
  public CamOptions withCustomMethod(@Nullable CustomCam custom) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding, fasterScoreCamChannels,
        eigenSmooth, augSmooth, custom);
  }

  /** The target layer by Keras name or nested path ({@code vgg16/block5_conv3}); null for the default. */
  public CamOptions withLayer(@Nullable String layer) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding, fasterScoreCamChannels,
        eigenSmooth, augSmooth, customMethod);
  }

  /** How many inputs one extra forward run takes: Score-CAM's masked images, Ablation-CAM's ablated channels. */
  public CamOptions withScoreCamBatchSize(int size) {
    return new CamOptions(method, layer, size, listener, output, cancellation, embedding, fasterScoreCamChannels,
        eigenSmooth, augSmooth, customMethod);
  }

  public CamOptions withListener(CamListener listener) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding, fasterScoreCamChannels,
        eigenSmooth, augSmooth, customMethod);
  }

  /**
   * Which output of a multi-output model to explain, by the name of the layer that produces it
   * ({@code KerasModel.outputNames()}); null for a model's only output.
   */
  public CamOptions withOutput(@Nullable String output) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding, fasterScoreCamChannels,
        eigenSmooth, augSmooth, customMethod);
  }

  /**
   * When explaining stops with {@code CancelledException}: checked before every graph run (one for
   * the gradient methods, one per {@link #scoreCamBatchSize()} masks or ablated channels for
   * Score-CAM and Ablation-CAM); a run once started runs to its end. A deadline counts from when it
   * is made: for a deadline per request, use {@code explainer.withCancellation(Cancellation.after(timeout))}.
   */
  public CamOptions withCancellation(Cancellation cancellation) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding, fasterScoreCamChannels,
        eigenSmooth, augSmooth, customMethod);
  }

  /**
   * The layer (name or nested path) whose output {@link Target#similarity} compares with its
   * reference; null for the model output. Its ops are built with the explainer's.
   */
  public CamOptions withEmbedding(@Nullable String embedding) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding, fasterScoreCamChannels,
        eigenSmooth, augSmooth, customMethod);
  }

  /**
   * Faster-Score-CAM's N (tf-keras-vis' {@code max_N}): only the N channels of largest activation
   * variance over the positions are masked and scored; the others weigh 0.
   */
  public CamOptions withFasterScoreCamChannels(int n) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding, n,
        eigenSmooth, augSmooth, customMethod);
  }

  /**
   * pytorch-grad-cam's {@code eigen_smooth}: the map is the first principal component projection
   * of the weighted activations {@code w_k A_k} (element-wise methods: of their own terms, e.g.
   * {@code g_k A_k} for HiResCAM) instead of their sum. Eigen-CAM and EigenGrad-CAM are projections
   * already and stay as they are. Changes the map, not the weights.
   */
  public CamOptions withEigenSmooth(boolean on) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding, fasterScoreCamChannels,
        on, augSmooth, customMethod);
  }

  /**
   * pytorch-grad-cam's {@code aug_smooth}: the mean of the normalised maps of six versions of each
   * image (mirrored left-right or not, times 0.9, 1 or 1.1), each map mirrored back; six times the
   * work. The multiply applies in the model's input space, to the preprocessed tensor given to
   * {@link CamExplainer#explain} (pytorch-grad-cam multiplies the normalised tensor too): after a
   * centering preprocessing it scales contrast, not brightness. Every version explains the class of
   * the unchanged image. The heatmap's {@code raw} is the mean of the six normalised maps, its
   * weights the mean of the six weight vectors.
   */
  public CamOptions withAugSmooth(boolean on) {
    return new CamOptions(method, layer, scoreCamBatchSize, listener, output, cancellation, embedding, fasterScoreCamChannels,
        eigenSmooth, on, customMethod);
  }
}
