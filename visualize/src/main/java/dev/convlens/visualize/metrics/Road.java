package dev.convlens.visualize.metrics;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import java.util.SplittableRandom;

/**
 * ROAD, RemOve And Debias (Rong, Leemann, Borisov, Kasneci, Kasneci: "A Consistent and Efficient
 * Evaluation Strategy for Attribution Methods", ICML 2022): like deletion, but the removed pixels
 * are imputed from their neighbours (noisy linear imputation) instead of set to a constant, so
 * the model sees no tell-tale shape of the removed region. For each fraction {@code p}, the top
 * (MoRF) or bottom (LeRF) {@code floor(p * H * W)} pixels by the map (resized to the image) are
 * removed, and the class probability of the imputed image is recorded.
 *
 * <p>As in the paper's code, each fraction is imputed from the original image, and equal map
 * values are ordered at random (the code adds noise of 1e-4 to the rescaled map; here a seeded
 * shuffle). A fraction is always the share removed: the code's LeRF call with {@code th_p}
 * removes the bottom {@code 1 - th_p}. Thread-safe.
 */
public final class Road {
  private Road() {}

  /** The ROAD curve of {@code map} for {@code classIndex} on {@code image [H, W, C]}. */
  public static RoadCurve curve(KerasModel model, FloatTensor image, int classIndex, FloatTensor map,
      RoadOptions options) {
    String metric = "ROAD";
    FloatTensor x = Maps.oneImage(image, metric);
    Scores scores = Scores.of(model, x, classIndex, metric);
    int h = (int) x.dim(0);
    int w = (int) x.dim(1);
    int c = (int) x.dim(2);
    int pixels = h * w;
    int[] order = Maps.descending(Maps.resized(map, h, w, metric), options.seed());
    double[] fractions = options.fractions();
    SplittableRandom noise = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
    float[] xs = x.data();
    // Image 0 is the original; the batches are filled in order, so the noise is drawn in order too.
    double[] p = scores.probabilities(fractions.length + 1, (i, dst, offset) -> {
      if (i == 0) {
        System.arraycopy(xs, 0, dst, offset, xs.length);
        return;
      }
      options.cancellation().check();
      int removedCount = (int) (fractions[i - 1] * pixels);
      boolean[] removed = new boolean[pixels];
      for (int r = 0; r < removedCount; r++) {
        removed[order[options.mostRelevantFirst() ? r : pixels - 1 - r]] = true;
      }
      float[] imputed = NoisyLinearImputation.impute(xs, h, w, c, removed, options.noise(), noise);
      System.arraycopy(imputed, 0, dst, offset, imputed.length);
    }, options.batchSize(), options.cancellation());
    return new RoadCurve(options.mostRelevantFirst(), fractions, java.util.Arrays.copyOfRange(p, 1, p.length), p[0]);
  }
}
