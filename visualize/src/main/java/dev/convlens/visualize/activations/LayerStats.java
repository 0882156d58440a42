package dev.convlens.visualize.activations;

/**
 * The numbers behind the book's observations for one layer, over every value of the batch
 * (accumulated in double): the spatial size, the channel count, how many channels are blank
 * (all values exactly zero for this input: "sparsity increases with depth"), and the mean,
 * standard deviation (ddof 0), minimum and maximum.
 *
 * <p>A channel is blank when its maximum and minimum are both exactly 0.0. For ReLU and pooling
 * outputs (never negative) this is the golden files' {@code blank_channels} (maximum == 0.0).
 */
public record LayerStats(String layer, String className, int batchSize, int height, int width, int channels,
    int blankChannels, double mean, double std, double min, double max) {

  /** Blank channels as a fraction of all channels, 0..1. */
  public double blankFraction() {
    return channels == 0 ? 0 : (double) blankChannels / channels;
  }

  static LayerStats of(LayerOutput out) {
    float[] d = out.value().data();
    int c = out.channels();
    float[] chMax = new float[c];
    float[] chMin = new float[c];
    java.util.Arrays.fill(chMax, Float.NEGATIVE_INFINITY);
    java.util.Arrays.fill(chMin, Float.POSITIVE_INFINITY);
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < d.length; i++) {
      float v = d[i];
      int k = i % c;
      sum += v;
      if (v > chMax[k]) {
        chMax[k] = v;
      }
      if (v < chMin[k]) {
        chMin[k] = v;
      }
    }
    double mean = d.length == 0 ? Double.NaN : sum / d.length;
    // Second pass: the textbook one-pass formula loses digits when the mean dwarfs the spread.
    double sq = 0;
    for (float v : d) {
      double dv = v - mean;
      sq += dv * dv;
    }
    int blank = 0;
    for (int k = 0; k < c; k++) {
      min = Math.min(min, chMin[k]);
      max = Math.max(max, chMax[k]);
      if (chMax[k] == 0f && chMin[k] == 0f) {
        blank++;
      }
    }
    return new LayerStats(out.layer(), out.className(), out.batchSize(), out.height(), out.width(), c, blank,
        mean, d.length == 0 ? Double.NaN : Math.sqrt(sq / d.length), min, max);
  }
}
