package dev.convlens.visualize.filters;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.InvalidInputException;

/**
 * How {@link ChannelMaxima} and {@link FeatureQuality} measure. Immutable: start from
 * {@link #defaults()} and change values with the withers.
 *
 * @param samples random moves of each picture averaged into its robustness; 8 by default
 * @param transforms the moves: {@link Transforms#standard()} (shift up to 8 px, scale 0.9..1.1,
 *     rotation up to 10 degrees) by default; {@link Transforms#none()} makes robustness exactly 1
 * @param seed seed of the moves ({@code SplittableRandom}); every picture of a call gets the same
 *     sequence of moves, so two visualizations are compared under the same perturbations and a
 *     picture measured alone or in a batch gets the same numbers
 * @param batchSize images per graph run (pictures and their moved copies together). Each run copies
 *     the layer's whole output for its images into Java ({@code batchSize * h * w * channels}
 *     floats: 16 images of VGG16's 224x224 {@code block1_conv1} are 205 MB), so lower it for early
 *     layers of large inputs
 * @param cancellation checked before every graph run; {@link Cancellation#none()} by default. A
 *     deadline counts from when it is made, so set it per call
 */
public record QualityOptions(int samples, Transforms transforms, long seed, int batchSize, Cancellation cancellation) {
  public QualityOptions {
    if (samples < 1 || samples > 1024) {
      throw new InvalidInputException("quality options: samples must be 1..1024, got " + samples);
    }
    InvalidInputException.requireNonNull(transforms, "quality options: transforms (use Transforms.standard())");
    if (batchSize < 1) {
      throw new InvalidInputException("quality options: batchSize must be at least 1, got " + batchSize);
    }
    InvalidInputException.requireNonNull(cancellation, "quality options: cancellation (use Cancellation.none())");
  }

  /** 8 moves of {@link Transforms#standard()}, seed 0, 16 images per run, no cancellation. */
  public static QualityOptions defaults() {
    return new QualityOptions(8, Transforms.standard(), 0, 16, Cancellation.none());
  }

  public QualityOptions withSamples(int samples) {
    return new QualityOptions(samples, transforms, seed, batchSize, cancellation);
  }

  public QualityOptions withTransforms(Transforms transforms) {
    return new QualityOptions(samples, transforms, seed, batchSize, cancellation);
  }

  public QualityOptions withSeed(long seed) {
    return new QualityOptions(samples, transforms, seed, batchSize, cancellation);
  }

  public QualityOptions withBatchSize(int batchSize) {
    return new QualityOptions(samples, transforms, seed, batchSize, cancellation);
  }

  public QualityOptions withCancellation(Cancellation cancellation) {
    return new QualityOptions(samples, transforms, seed, batchSize, cancellation);
  }
}
