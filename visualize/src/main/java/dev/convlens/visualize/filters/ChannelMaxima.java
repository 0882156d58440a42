package dev.convlens.visualize.filters;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import java.util.Arrays;
import java.util.List;

/**
 * For one (model, layer): per channel, the largest activation over a reference dataset, where the
 * activation of a channel on an image is the mean over height and width of that channel of the
 * layer's output (the channel objective of feature visualization). It is the yardstick of
 * {@link FeatureQuality}: a visualization reaching 1.0 drives its channel as hard as the most
 * exciting real image did. Immutable and thread-safe; made once per reference set and reused.
 */
public final class ChannelMaxima {
  private final String modelName;
  private final String layer;
  private final int imageCount;
  private final double[] max;

  private ChannelMaxima(String modelName, String layer, int imageCount, double[] max) {
    this.modelName = modelName;
    this.layer = layer;
    this.imageCount = imageCount;
    this.max = max;
  }

  /**
   * The maxima of {@code layer}'s channels over {@code images}, each {@code [H, W, C]} in
   * model-input values (what the model is fed: raw pixels for a model that rescales inside).
   * Runs of {@link QualityOptions#batchSize()} images, {@link QualityOptions#cancellation()}
   * checked before each; only {@code batchSize} and {@code cancellation} of {@code options} are used.
   *
   * @throws InvalidInputException naming the argument when the layer is unknown or not 4-D, when
   *     {@code images} is empty, or when an image does not fit the model's input
   */
  public static ChannelMaxima of(KerasModel model, String layer, List<FloatTensor> images, QualityOptions options) {
    ChannelMeans means = ChannelMeans.of(model, layer);
    InvalidInputException.requireNonNull(options, "options (use QualityOptions.defaults())");
    if (images == null || images.isEmpty()) {
      throw new InvalidInputException("images: the reference dataset for layer '" + layer + "' is empty;"
          + " expected at least one [H, W, C] image");
    }
    for (int i = 0; i < images.size(); i++) {
      means.checkImage(images.get(i), "images[" + i + "]");
    }
    double[][] acts = means.of(images.size(), images::get, options.batchSize(), options.cancellation());
    double[] max = new double[means.channels()];
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    for (double[] a : acts) {
      for (int c = 0; c < max.length; c++) {
        max[c] = Math.max(max[c], a[c]);
      }
    }
    return new ChannelMaxima(model.name(), means.layerPath(), images.size(), max);
  }

  /** The layer's nested path, e.g. {@code conv2d_10}. */
  public String layer() {
    return layer;
  }

  /** How many reference images the maxima were taken over. */
  public int imageCount() {
    return imageCount;
  }

  /** The number of channels of the layer; valid indices are 0 to this minus 1. */
  public int channels() {
    return max.length;
  }

  /**
   * The largest activation of {@code channel} over the reference images. It is 0 or below for a
   * channel dead on the whole dataset (a ReLU channel that never fires).
   *
   * @throws InvalidInputException naming the layer and the valid range when {@code channel} is out of range
   */
  public double max(int channel) {
    checkChannel(channel, "channel");
    return max[channel];
  }

  /** The name of the model the maxima were measured on. */
  String modelName() {
    return modelName;
  }

  void checkChannel(int channel, String argument) {
    if (channel < 0 || channel >= max.length) {
      throw new InvalidInputException(argument + " " + channel + " is out of range for layer '" + layer + "': it has "
          + max.length + " channels, valid indices 0-" + (max.length - 1));
    }
  }

  @Override
  public String toString() {
    return "ChannelMaxima[model=" + modelName + ", layer=" + layer + ", channels=" + max.length + ", images="
        + imageCount + "]";
  }
}
