package dev.convlens.visualize.activations;

import java.util.Arrays;
import org.apache.commons.math3.stat.descriptive.moment.Mean;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;

/**
 * The numbers behind the book's observations for one layer, over every value of the batch
 * (accumulated in double): the spatial size, the channel count, how many channels are blank
 * (all values exactly zero for this input: "sparsity increases with depth"), and the mean,
 * standard deviation (ddof 0, numpy's default; Apache Commons Math's storeless statistics),
 * minimum and maximum.
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
    Arrays.fill(chMax, Float.NEGATIVE_INFINITY);
    Arrays.fill(chMin, Float.POSITIVE_INFINITY);
    // Storeless (Welford) updates: no copy of a large batch into doubles, and no digits lost when
    // the mean dwarfs the spread. Population deviation, as numpy's default (ddof 0).
    Mean mean = new Mean();
    StandardDeviation std = new StandardDeviation(false);
    for (int i = 0; i < d.length; i++) {
      float v = d[i];
      int k = i % c;
      mean.increment(v);
      std.increment(v);
      if (v > chMax[k]) {
        chMax[k] = v;
      }
      if (v < chMin[k]) {
        chMin[k] = v;
      }
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    int blank = 0;
    for (int k = 0; k < c; k++) {
      min = Math.min(min, chMin[k]);
      max = Math.max(max, chMax[k]);
      if (chMax[k] == 0f && chMin[k] == 0f) {
        blank++;
      }
    }
    return new LayerStats(out.layer(), out.className(), out.batchSize(), out.height(), out.width(), c, blank,
        mean.getResult(), std.getResult(), min, max);
  }
}
