package dev.convlens.visualize.filters;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.Preprocessing;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How {@link FeatureVisualizer} renders: parameterization, transforms, optimizer and output.
 * Immutable; {@link #defaults()} is the readable preset (Lucid's defaults: Fourier spectrum,
 * decorrelated colours, standard transforms, Adam at 0.05), {@link #pixelSpace()} the same
 * optimizer on plain pixels without transforms, for comparison.
 *
 * @param parameterization how the image is represented
 * @param transforms random jitter, scale and rotation applied before the model at every step
 * @param steps optimizer steps
 * @param learningRate Adam's learning rate (betas 0.9, 0.999, epsilon 1e-8, as TF's Adam)
 * @param size image height and width; 0 = the model's input size (128 for open sizes); a model with a
 *     fixed input size accepts only that size
 * @param seed seed of the start values and of the transforms: equal seeds give equal pictures
 * @param preprocessing how the picture's 0..255 pixel values become model input (a Keras
 *     {@code preprocess_input} mode; NONE for models that rescale inside, e.g. with a Rescaling layer)
 * @param startImage start from this picture ({@code [H, W, C]} pixel values 0..255, e.g. a loaded
 *     photo, DeepDream) instead of seeded noise; null = noise
 * @param snapshotEvery keep the picture every this many steps (and at the end) for an animation; 0 = none
 * @param deadRetries when a model objective has zero value and zero gradient on the start picture
 *     (a dead channel), try this many more starts: noise 10, 100, ... times larger, then each of
 *     {@code retryImages}; a still-dead objective is reported as dead, not optimized
 * @param retryImages start pictures to try after the larger noise (e.g. dataset images), each
 *     {@code [H, W, C]} 0..255
 * @param batchSize objectives optimized together: 0 = as many as {@code memoryBudgetBytes} allows
 * @param memoryBudgetBytes rough bound of the native memory of one batch's activations and gradients
 * @param cancellation checked before every graph run
 */
public record FeatureOptions(Parameterization parameterization, Transforms transforms, int steps, double learningRate,
    int size, long seed, Preprocessing preprocessing, @Nullable FloatTensor startImage, int snapshotEvery,
    int deadRetries, List<FloatTensor> retryImages, int batchSize, long memoryBudgetBytes, Cancellation cancellation) {

  public FeatureOptions {
    require(parameterization != null, "parameterization is null");
    require(transforms != null, "transforms are null (use Transforms.none())");
    require(steps >= 1, "steps must be at least 1, got " + steps);
    require(Double.isFinite(learningRate) && learningRate > 0, "learningRate must be a positive number, got " + learningRate);
    require(size >= 0, "size must be 0 (the model's input size) or positive, got " + size);
    require(preprocessing != null, "preprocessing is null (use Preprocessing.NONE)");
    require(snapshotEvery >= 0, "snapshotEvery must be 0 (none) or a number of steps, got " + snapshotEvery);
    require(deadRetries >= 0 && deadRetries <= 10, "deadRetries must be 0..10, got " + deadRetries);
    require(retryImages != null, "retryImages is null (use List.of())");
    retryImages = List.copyOf(retryImages);
    require(batchSize >= 0, "batchSize must be 0 (as memory allows) or positive, got " + batchSize);
    require(memoryBudgetBytes > 0, "memoryBudgetBytes must be positive, got " + memoryBudgetBytes);
    require(cancellation != null, "cancellation is null (use Cancellation.none())");
    if (startImage != null) {
      requirePicture(startImage, "startImage");
    }
    for (FloatTensor r : retryImages) {
      requirePicture(r, "retryImages");
    }
  }

  /** The readable preset: Fourier + decorrelated colours, standard transforms, 256 Adam steps of 0.05. */
  public static FeatureOptions defaults() {
    return new FeatureOptions(Parameterization.fourier(), Transforms.standard(), 256, 0.05, 0, 0L, Preprocessing.NONE,
        null, 0, 2, List.of(), 0, 1L << 30, Cancellation.none());
  }

  /** This with plain pixels and no transforms: what the readable preset is measured against. */
  public FeatureOptions pixelSpace() {
    return withParameterization(Parameterization.pixels()).withTransforms(Transforms.none());
  }

  public FeatureOptions withParameterization(Parameterization parameterization) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withTransforms(Transforms transforms) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withSteps(int steps) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withLearningRate(double learningRate) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withSize(int size) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withSeed(long seed) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withPreprocessing(Preprocessing preprocessing) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withStartImage(@Nullable FloatTensor startImage) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withSnapshotEvery(int snapshotEvery) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withDeadRetries(int deadRetries) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withRetryImages(List<FloatTensor> retryImages) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withBatchSize(int batchSize) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withMemoryBudgetBytes(long memoryBudgetBytes) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  public FeatureOptions withCancellation(Cancellation cancellation) {
    return new FeatureOptions(parameterization, transforms, steps, learningRate, size, seed, preprocessing, startImage,
        snapshotEvery, deadRetries, retryImages, batchSize, memoryBudgetBytes, cancellation);
  }

  private static void requirePicture(FloatTensor t, String what) {
    require(t.rank() == 3, what + " must be an [H, W, C] picture, got " + t);
    for (float v : t.data()) {
      require(Float.isFinite(v) && v >= 0 && v <= 255, what + " must hold pixel values 0..255");
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new InvalidInputException("feature visualization: " + message);
    }
  }
}
