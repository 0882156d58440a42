package dev.convlens.visualize.filters;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How good a visualization of one channel is, as three numbers. The activation of channel
 * {@code c} on an image is the mean over height and width of {@code c} in the layer's output (the
 * channel objective); the image is in model-input values.
 *
 * <p>None of the three is ever NaN for finite images and weights. Where a denominator is 0 or
 * below, the number is {@code +Infinity} when the numerator is positive and 0 otherwise.
 *
 * @param activationRatio the channel's activation on the image divided by its maximum over the
 *     reference dataset ({@link ChannelMaxima#max}): 1.0 = as strong as the most exciting real
 *     image, above 1 = stronger. {@code +Infinity} when the channel never fired on the dataset
 *     (max &lt;= 0) but fires here, 0 when it fires on neither
 * @param robustness the mean, over {@link QualityOptions#samples()} random moves of the image
 *     ({@link QualityOptions#transforms()}, seeded), of the activation on the moved image divided
 *     by the activation on the image: the share of its activation the picture keeps when shifted,
 *     scaled and rotated a little (1 = all of it; it can exceed 1). A pattern tuned to exact pixel
 *     positions (adversarial noise) loses most of it. 0 when the activation on the image is 0 or below
 * @param selectivity {@code r(c) / mean of r(c')} over the layer's other channels {@code c'} whose
 *     dataset maximum is positive, with {@code r(k) = activation of k / max(k)} and {@code r(c)} the
 *     activation ratio: how much more the picture drives its own channel than its neighbours,
 *     each on its own scale (1 = no more than the others). {@code +Infinity} when that mean is 0 or
 *     below (or no other channel ever fired) and {@code r(c) > 0}
 */
public record FeatureQuality(double activationRatio, double robustness, double selectivity) {
  /**
   * The quality of {@code image} as a visualization of {@code channel} of the layer of
   * {@code maxima}: {@link #measureAll} for one picture.
   */
  public static FeatureQuality measure(KerasModel model, ChannelMaxima maxima, int channel, FloatTensor image,
      QualityOptions options) {
    return measure(model, maxima, List.of(channel), Collections.singletonList(image), options, true).get(0);
  }

  /**
   * The quality of each {@code images.get(i)} as a visualization of {@code channels.get(i)}, in
   * that order. The pictures and their {@code samples} moved copies go through the model together,
   * {@link QualityOptions#batchSize()} per graph run ({@code ceil(n * (1 + samples) / batchSize)}
   * runs), {@link QualityOptions#cancellation()} checked before each. All arguments are checked
   * before any run. Every picture gets the same moves, so the numbers of a picture do not depend
   * on the others.
   *
   * @throws InvalidInputException naming the argument when {@code maxima} was measured on another
   *     model or a layer this model lacks or shapes differently, when a channel is out of range,
   *     when the lists are empty or of different lengths, or when an image does not fit the model
   */
  public static List<FeatureQuality> measureAll(KerasModel model, ChannelMaxima maxima, List<Integer> channels,
      List<FloatTensor> images, QualityOptions options) {
    return measure(model, maxima, channels, images, options, false);
  }

  /** {@code single}: the caller passed one channel and one image, and errors name them so. */
  private static List<FeatureQuality> measure(KerasModel model, ChannelMaxima maxima, List<Integer> channels,
      List<FloatTensor> images, QualityOptions options, boolean single) {
    InvalidInputException.requireNonNull(model, "model");
    InvalidInputException.requireNonNull(maxima, "maxima");
    InvalidInputException.requireNonNull(options, "options (use QualityOptions.defaults())");
    if (!maxima.modelName().equals(model.name())) {
      throw new InvalidInputException("maxima were measured on model '" + maxima.modelName() + "', not on model '"
          + model.name() + "'; expected the ChannelMaxima of this model's layer");
    }
    ChannelMeans means = ChannelMeans.of(model, maxima.layer());
    if (means.channels() != maxima.channels()) {
      throw new InvalidInputException("maxima have " + maxima.channels() + " channels but layer '" + maxima.layer()
          + "' of model '" + model.name() + "' has " + means.channels() + "; expected the ChannelMaxima of this layer");
    }
    if (channels == null || images == null || channels.isEmpty() || channels.size() != images.size()) {
      throw new InvalidInputException("channels and images must be non-empty lists of equal length (image i"
          + " visualizes channel i), got " + (channels == null ? "null" : channels.size()) + " channels and "
          + (images == null ? "null" : images.size()) + " images");
    }
    int n = images.size();
    int[] target = new int[n];
    for (int i = 0; i < n; i++) {
      Integer c = channels.get(i);
      InvalidInputException.requireNonNull(c, single ? "channel" : "channels[" + i + "]");
      maxima.checkChannel(c, single ? "channel" : "channels[" + i + "]");
      target[i] = c;
      means.checkImage(images.get(i), single ? "image" : "images[" + i + "]");
    }
    List<Transforms.Draw> draws = draws(options);
    int per = 1 + draws.size();
    // Entry i * per is picture i, entries i * per + 1 + s its moved copies, made when their batch runs.
    double[][] acts = means.of(n * per, j -> {
      FloatTensor image = images.get(j / per);
      int s = j % per;
      if (s == 0) {
        return image;
      }
      long[] shape = image.shape();
      return new FloatTensor(shape, draws.get(s - 1).apply(image.data(), (int) shape[0], (int) shape[1], (int) shape[2]));
    }, options.batchSize(), options.cancellation());
    List<FeatureQuality> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double[] own = acts[i * per];
      int c = target[i];
      double robustness = 0;
      if (own[c] > 0) {
        for (int s = 1; s < per; s++) {
          robustness += acts[i * per + s][c] / own[c];
        }
        robustness /= draws.size();
      }
      out.add(new FeatureQuality(ratio(own[c], maxima.max(c)), robustness, selectivity(own, maxima, c)));
    }
    return List.copyOf(out);
  }

  /** The same {@code samples} moves for every picture, from {@code seed}. */
  private static List<Transforms.Draw> draws(QualityOptions options) {
    SplittableRandom random = new SplittableRandom(options.seed());
    List<Transforms.Draw> draws = new ArrayList<>(options.samples());
    for (int s = 0; s < options.samples(); s++) {
      draws.add(options.transforms().draw(random));
    }
    return draws;
  }

  /** {@code a / b}, or +inf / 0 instead of a division by a non-positive {@code b}. */
  private static double ratio(double a, double b) {
    if (b > 0) {
      return a / b;
    }
    return a > 0 ? Double.POSITIVE_INFINITY : 0;
  }

  private static double selectivity(double[] act, ChannelMaxima maxima, int channel) {
    double sum = 0;
    int count = 0;
    for (int k = 0; k < act.length; k++) {
      // a channel that never fired on the dataset has no scale: left out rather than infinite
      if (k != channel && maxima.max(k) > 0) {
        sum += act[k] / maxima.max(k);
        count++;
      }
    }
    return ratio(ratio(act[channel], maxima.max(channel)), count == 0 ? 0 : sum / count);
  }
}
