package dev.convlens.visualize.cam;

import dev.convlens.bridge.InvalidInputException;
import java.util.function.Function;

/**
 * A user's own CAM method: which score it differentiates and how the target layer's activations
 * and gradients become one weight per channel; the explainer does the rest as for the built-in
 * methods ({@code map = sum_k w_k A_k}, ReLU, normalisation, smoothing, batching). Pass it with
 * {@link CamOptions#withCustomMethod}.
 *
 * <pre>{@code
 * // Java
 * CustomCam maxGrad = CustomCam.of(CustomCam.Score.LOGIT, layer -> {
 *   double[] w = new double[layer.channels()];
 *   ...
 *   return w;
 * });
 * // Kotlin
 * val maxGrad = CustomCam.of(CustomCam.Score.LOGIT) { layer -> DoubleArray(layer.channels()) { k -> ... } }
 * class MaxGrad : CustomCam(CustomCam.Score.LOGIT) {
 *   override fun weights(layer: CustomCam.Layer): DoubleArray = ...
 * }
 * }</pre>
 *
 * <p>{@link #weights} is called once per explained row, possibly from several threads at once
 * when the explainer serves concurrent callers: keep it free of shared mutable state.
 */
public abstract class CustomCam {
  /** Which score the gradients are of. */
  public enum Score {
    /** The model's output for the class (a softmax or sigmoid probability). */
    PROBABILITY,
    /** The class score before the final softmax or sigmoid. */
    LOGIT,
    /** No gradients: {@link Layer#gradient} is not available, only the activations. */
    NONE
  }

  private final Score score;

  protected CustomCam(Score score) {
    this.score = InvalidInputException.requireNonNull(score, "score");
  }

  /** A method from a lambda: {@code weights} gets the layer of one row and returns its {@code K} weights. */
  public static CustomCam of(Score score, Function<Layer, double[]> weights) {
    InvalidInputException.requireNonNull(weights, "weights");
    return new CustomCam(score) {
      @Override
      public double[] weights(Layer layer) {
        return weights.apply(layer);
      }
    };
  }

  public final Score score() {
    return score;
  }

  /** One weight per channel ({@link Layer#channels()} of them) for the row's class. */
  public abstract double[] weights(Layer layer);

  /**
   * The target layer for one image and class, read-only: activations {@code A[y, x, k]} and, unless
   * the score is {@link Score#NONE}, {@code dScore/dA[y, x, k]}. Valid during the call to
   * {@link #weights} only.
   */
  public static final class Layer {
    private final LayerMaps maps;

    Layer(LayerMaps maps) {
      this.maps = maps;
    }

    public int height() {
      return maps.height;
    }

    public int width() {
      return maps.width;
    }

    public int channels() {
      return maps.channels;
    }

    public float activation(int y, int x, int k) {
      return maps.a(position(y, x, k), k);
    }

    /** @throws IllegalStateException for a method whose score is {@link Score#NONE} */
    public float gradient(int y, int x, int k) {
      if (!maps.hasGradients()) {
        throw new IllegalStateException("a CustomCam with Score.NONE has no gradients");
      }
      return maps.g(position(y, x, k), k);
    }

    private int position(int y, int x, int k) {
      if (y < 0 || y >= maps.height || x < 0 || x >= maps.width || k < 0 || k >= maps.channels) {
        throw new IndexOutOfBoundsException("(" + y + ", " + x + ", " + k + ") is outside the layer's "
            + maps.height + "x" + maps.width + "x" + maps.channels);
      }
      return y * maps.width + x;
    }
  }

  /** The adapter to the explainer's method base, checking what the user's method returns. */
  static final class Algorithm extends CamAlgorithm {
    private final CustomCam custom;

    Algorithm(CustomCam custom) {
      this.custom = custom;
    }

    @Override
    ScoreKind score() {
      return switch (custom.score()) {
        case PROBABILITY -> ScoreKind.PROBABILITY;
        case LOGIT -> ScoreKind.LOGIT;
        case NONE -> ScoreKind.NONE;
      };
    }

    @Override
    double[] weights(LayerMaps m) {
      double[] w = custom.weights(new Layer(m));
      if (w == null || w.length != m.channels) {
        throw new InvalidInputException("custom CAM method " + custom.getClass().getName() + " returned "
            + (w == null ? "null" : w.length + " weights") + " for a layer of " + m.channels + " channels");
      }
      return w.clone();
    }
  }
}
