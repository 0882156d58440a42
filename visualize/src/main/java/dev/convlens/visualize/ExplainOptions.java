package dev.convlens.visualize;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.visualize.cam.AttributionMethod;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.Overlay;
import dev.convlens.visualize.render.Colormap;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ImageClassifier#explain(InputImage, ExplainOptions)} explains and how it draws it.
 * Immutable; start from {@link #defaults()} and change what you need.
 *
 * @param classIndex the class to explain, or -1 for the top class (unless {@code className} is set)
 * @param className the class to explain by its label (or WordNet id), or null
 * @param method the CAM method (default the book's Grad-CAM) or an input-space method ({@code InputMethod})
 * @param layer the target layer's name or path, or null for the last convolutional map
 * @param colormap the overlay's colormap (the book's JET by default)
 * @param alpha the heatmap's weight in the overlay (the book's 0.4)
 * @param cancellation when to give up (a deadline, a token): checked before every graph run, which
 *     matters for Score-CAM (a run per batch of channels); none by default
 */
public record ExplainOptions(int classIndex, @Nullable String className, AttributionMethod method, @Nullable String layer,
    Colormap colormap, double alpha, Cancellation cancellation) {
  public ExplainOptions {
    InvalidInputException.requireNonNull(method, "method");
    InvalidInputException.requireNonNull(colormap, "colormap");
    InvalidInputException.requireNonNull(cancellation, "cancellation");
    if (classIndex < -1) {
      throw new InvalidInputException("classIndex must be a class index or -1 for the top class, got " + classIndex);
    }
    if (!(alpha >= 0) || Double.isInfinite(alpha)) {
      throw new InvalidInputException("overlay alpha must be a finite number >= 0, got " + alpha);
    }
  }

  public static ExplainOptions defaults() {
    return new ExplainOptions(-1, null, CamMethod.GRAD_CAM_BOOK, null, Colormap.JET, Overlay.BOOK_ALPHA, Cancellation.none());
  }

  /** Explain class {@code index} (-1: the top class). */
  public ExplainOptions withClassIndex(int index) {
    return new ExplainOptions(index, null, method, layer, colormap, alpha, cancellation);
  }

  /** Explain the class labelled {@code name} (case-insensitive; an ImageNet WordNet id works too). */
  public ExplainOptions withClassName(String name) {
    return new ExplainOptions(-1, name, method, layer, colormap, alpha, cancellation);
  }

  public ExplainOptions withMethod(AttributionMethod method) {
    return new ExplainOptions(classIndex, className, method, layer, colormap, alpha, cancellation);
  }

  public ExplainOptions withLayer(String layer) {
    return new ExplainOptions(classIndex, className, method, layer, colormap, alpha, cancellation);
  }

  public ExplainOptions withColormap(Colormap colormap) {
    return new ExplainOptions(classIndex, className, method, layer, colormap, alpha, cancellation);
  }

  /** Stop with {@code CancelledException} when {@code cancellation} says so (e.g. {@code Cancellation.after(timeout)}). */
  public ExplainOptions withCancellation(Cancellation cancellation) {
    return new ExplainOptions(classIndex, className, method, layer, colormap, alpha, cancellation);
  }

  public ExplainOptions withAlpha(double alpha) {
    return new ExplainOptions(classIndex, className, method, layer, colormap, alpha, cancellation);
  }
}
