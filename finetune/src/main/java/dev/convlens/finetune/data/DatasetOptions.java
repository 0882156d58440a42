package dev.convlens.finetune.data;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.Preprocessing;

/**
 * How a folder becomes batches, with Keras' defaults (batch 32, shuffled, binary labels, no
 * augmentation). Immutable; start from {@link #of(int, int, Preprocessing)} and use the withers.
 *
 * @param height target height: every image is resized to it (PIL nearest, as Keras' {@code load_img})
 * @param width target width
 * @param preprocessing the base's {@code preprocess_input} mode, applied after augmentation
 * @param batchSize samples per batch; the last batch of an epoch may be smaller
 * @param shuffle reshuffle the samples every epoch (off for validation and evaluation)
 * @param seed seed of shuffling and augmentation
 * @param labelMode binary (two classes, sigmoid) or categorical (one-hot, softmax)
 * @param augmentation random transforms for every epoch, or {@link Augmentation#none()}
 */
public record DatasetOptions(int height, int width, Preprocessing preprocessing, int batchSize, boolean shuffle,
    long seed, LabelMode labelMode, Augmentation augmentation) {
  public DatasetOptions {
    if (height < 1 || width < 1) {
      throw new InvalidInputException("target size must be positive, got " + height + "x" + width);
    }
    if (batchSize < 1) {
      throw new InvalidInputException("batch size must be at least 1, got " + batchSize);
    }
    if (preprocessing == null || labelMode == null || augmentation == null) {
      throw new InvalidInputException("dataset options need preprocessing, label mode and augmentation"
          + " (Preprocessing.NONE, Augmentation.none() for none), got " + preprocessing + ", " + labelMode + ", "
          + augmentation);
    }
  }

  /** Keras' defaults at this target size: batch 32, shuffle, seed 0, binary labels, no augmentation. */
  public static DatasetOptions of(int height, int width, Preprocessing preprocessing) {
    return new DatasetOptions(height, width, preprocessing, 32, true, 0, LabelMode.BINARY, Augmentation.none());
  }

  public DatasetOptions withBatchSize(int n) {
    return new DatasetOptions(height, width, preprocessing, n, shuffle, seed, labelMode, augmentation);
  }

  public DatasetOptions withShuffle(boolean on) {
    return new DatasetOptions(height, width, preprocessing, batchSize, on, seed, labelMode, augmentation);
  }

  public DatasetOptions withSeed(long s) {
    return new DatasetOptions(height, width, preprocessing, batchSize, shuffle, s, labelMode, augmentation);
  }

  public DatasetOptions withLabelMode(LabelMode mode) {
    return new DatasetOptions(height, width, preprocessing, batchSize, shuffle, seed, mode, augmentation);
  }

  public DatasetOptions withAugmentation(Augmentation a) {
    return new DatasetOptions(height, width, preprocessing, batchSize, shuffle, seed, labelMode, a);
  }

  /** For validation and evaluation: same size, preprocessing, labels and batch, no shuffling or augmentation. */
  public DatasetOptions forEvaluation() {
    return new DatasetOptions(height, width, preprocessing, batchSize, false, seed, labelMode, Augmentation.none());
  }
}
