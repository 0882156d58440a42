package dev.convlens.visualize.metrics;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;

/**
 * The deletion and insertion curves of RISE (Petsiuk et al., BMVC 2018). Pixels are ranked by the
 * map (resized to the image), highest first. Deletion replaces the top pixels, {@code
 * pixelsPerStep} more at each step, by the substrate, so a faithful map makes the probability
 * fall fast: lower AUC is better. Insertion starts from the substrate and puts the image's pixels
 * back in the same order: higher AUC is better. A pixel is all its channels. Thread-safe; one
 * call makes {@code H*W / pixelsPerStep + 1} images and runs them {@code batchSize} at a time.
 */
public final class DeletionInsertion {
  private DeletionInsertion() {}

  /** The deletion curve of {@code map} for {@code classIndex} on {@code image [H, W, C]}. */
  public static Curve deletion(KerasModel model, FloatTensor image, int classIndex, FloatTensor map,
      CurveOptions options) {
    return curve(model, image, classIndex, map, options, true);
  }

  /** The insertion curve of {@code map} for {@code classIndex} on {@code image [H, W, C]}. */
  public static Curve insertion(KerasModel model, FloatTensor image, int classIndex, FloatTensor map,
      CurveOptions options) {
    return curve(model, image, classIndex, map, options, false);
  }

  private static Curve curve(KerasModel model, FloatTensor image, int classIndex, FloatTensor map,
      CurveOptions options, boolean deletion) {
    String metric = deletion ? "deletion" : "insertion";
    FloatTensor x = Maps.oneImage(image, metric);
    Scores scores = Scores.of(model, x, classIndex, metric);
    int h = (int) x.dim(0);
    int w = (int) x.dim(1);
    int c = (int) x.dim(2);
    int pixels = h * w;
    int[] order = Maps.descending(Maps.resized(map, h, w, metric), options.seed());
    int step = options.pixelsPerStep() == -1 ? w : options.pixelsPerStep();
    int steps = (pixels + step - 1) / step;
    float[] substrate = options.substrate().of(x);
    float[] from = deletion ? x.data() : substrate;
    float[] to = deletion ? substrate : x.data();
    double[] fractions = new double[steps + 1];
    for (int i = 0; i <= steps; i++) {
      fractions[i] = (double) Math.min(i * step, pixels) / pixels;
    }
    double[] p = scores.probabilities(steps + 1, (i, dst, offset) -> {
      System.arraycopy(from, 0, dst, offset, from.length);
      for (int r = 0, n = Math.min(i * step, pixels); r < n; r++) {
        int at = order[r] * c;
        System.arraycopy(to, at, dst, offset + at, c);
      }
    }, options.batchSize(), options.cancellation());
    return Curve.of(fractions, p);
  }
}
