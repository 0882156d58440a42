package dev.convlens.visualize.metrics;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import java.util.List;

/**
 * Average drop and increase in confidence (Chattopadhay et al., Grad-CAM++, WACV 2018) for one
 * image: {@code original} is the class probability Y of the image, {@code masked} the probability
 * O of the image times the map (resized to the image, values in [0, 1]). Over many images, {@link
 * #averageDrop} is {@code mean(max(0, Y - O) / Y)} (lower is better; the paper prints it times 100)
 * and {@link #increaseRate} the fraction with {@code O > Y} (higher is better).
 *
 * <p>The product is taken in the model's input space, after preprocessing, so a map value of 0
 * turns a pixel into the input space's zero, not black: for caffe-preprocessed input (BGR minus
 * the ImageNet mean) that is the ImageNet mean colour, for torch's the mean colour too, for tf's
 * [-1, 1] mid grey. The paper multiplies the raw image, fading to black; the two differ unless
 * the model's input is the raw image scaled to [0, 1].
 */
public record ConfidenceChange(double original, double masked) {
  /** {@code max(0, Y - O) / Y}; 0 when Y is 0. */
  public double drop() {
    return original > 0 ? Math.max(0, original - masked) / original : 0;
  }

  /** Whether the masked image scores higher than the image ({@code O > Y}). */
  public boolean increased() {
    return masked > original;
  }

  /** Y and O for {@code classIndex}: both images in one graph run, after checking {@code cancellation}. */
  public static ConfidenceChange measure(KerasModel model, FloatTensor image, int classIndex, FloatTensor map,
      Cancellation cancellation) {
    String metric = "average drop";
    FloatTensor x = Maps.oneImage(image, metric);
    Scores scores = Scores.of(model, x, classIndex, metric);
    InvalidInputException.requireNonNull(cancellation, metric + ": cancellation (Cancellation.none() for none)");
    int h = (int) x.dim(0);
    int w = (int) x.dim(1);
    int c = (int) x.dim(2);
    float[] m = Maps.resized(map, h, w, metric);
    for (float v : m) {
      if (v < 0 || v > 1) {
        throw new InvalidInputException(metric + " takes a map with values in [0, 1] (a normalized heatmap); got " + v);
      }
    }
    float[] xs = x.data();
    double[] p = scores.probabilities(2, (i, dst, offset) -> {
      for (int q = 0; q < h * w; q++) {
        for (int k = 0; k < c; k++) {
          dst[offset + q * c + k] = i == 0 ? xs[q * c + k] : xs[q * c + k] * m[q];
        }
      }
    }, 2, cancellation);
    return new ConfidenceChange(p[0], p[1]);
  }

  /** {@code mean(max(0, Y - O) / Y)} over {@code changes} (a fraction; times 100 for the paper's percent). */
  public static double averageDrop(List<ConfidenceChange> changes) {
    requireSome(changes);
    return changes.stream().mapToDouble(ConfidenceChange::drop).average().orElseThrow();
  }

  /** The fraction of {@code changes} where the masked image scores higher. */
  public static double increaseRate(List<ConfidenceChange> changes) {
    requireSome(changes);
    return (double) changes.stream().filter(ConfidenceChange::increased).count() / changes.size();
  }

  private static void requireSome(List<ConfidenceChange> changes) {
    if (changes == null || changes.isEmpty()) {
      throw new InvalidInputException("average drop / increase in confidence need at least one image");
    }
  }
}
