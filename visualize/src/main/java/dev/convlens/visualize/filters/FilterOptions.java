package dev.convlens.visualize.filters;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to visualize filters. Immutable: start from {@link #defaults()} (exactly the book's listing
 * 5.38) and change values with the withers. The regularizers are all off by default; each one
 * trades some faithfulness to the raw gradient for a picture a person can read (see the package
 * documentation for what each does to the image).
 *
 * @param steps gradient-ascent steps (per octave when {@code octaves > 1}); the book uses 40
 * @param stepSize size of each step, in pixel values per unit of RMS-normalized gradient; book: 1
 * @param size image height and width; 0 means the model's input size (150, the book's
 *     {@code generate_pattern} default, when the model's input size is open). A model with a fixed
 *     input size accepts only that size
 * @param seed seed of the gray start noise {@code random * 20 + 128} and of the jitter offsets;
 *     the same seed gives the same pictures, in whole-layer and in one-by-one mode
 * @param startImage the start image instead of seeded noise, {@code [H, W, C]} or {@code [1, H, W, C]},
 *     raw model-input values (no preprocessing is applied); null for seeded noise
 * @param jitter before each step, shift the image by a random offset of up to this many pixels
 *     (wrapping around) and shift the gradient back; 0 = off
 * @param totalVariation weight of a squared total-variation penalty (sum of squared differences of
 *     neighbouring pixels / 2); 0 = off
 * @param l2 weight of an L2 penalty pulling pixel values toward the start image's mean gray; 0 = off
 * @param blurSigma Gaussian blur (standard deviation in pixels) applied to the gradient before it is
 *     normalized; 0 = off
 * @param octaves number of scales: the image is first optimized as a picture of
 *     {@code size / octaveScale^(octaves-1)} pixels (upsampled bilinearly to the model input), then
 *     enlarged by {@code octaveScale} per octave; 1 = off
 * @param octaveScale size ratio between successive octaves (&gt; 1)
 * @param batchSize filters optimized together in one batch: 0 = as many as {@code memoryBudgetBytes}
 *     allows (whole-layer mode), 1 = one filter at a time
 * @param memoryBudgetBytes rough upper bound of the native memory one batch may use for
 *     activations and gradients; batches are chunked to stay under it
 * @param preActivation maximize the filter's value before the layer's activation function (the
 *     ReLU of a Conv2D) instead of after it. A ReLU filter that is zero everywhere on the start
 *     image has a zero gradient and stays gray; before the ReLU it still moves. Off in the book
 * @param epsilon the book's {@code 1e-5} in {@code g / (sqrt(mean(g^2)) + epsilon)}. It assumes
 *     gradients far above 1e-5 (true for VGG16 on 0..255 inputs); for a model that rescales its
 *     input (x/255) the gradient RMS can be below 1e-5 and the steps shrink to almost nothing: use
 *     a much smaller value such as 1e-12 there
 * @param cancellation when a run stops with {@code CancelledException}: checked before every
 *     graph run (each ascent step of each batch of filters), so a run returns at most one step
 *     after its deadline (in whole-layer mode a step of every filter of the batch; a smaller
 *     {@code batchSize} gives shorter steps); {@link Cancellation#none()} by default. A deadline
 *     counts from when it is made, so set it per call
 */
public record FilterOptions(int steps, double stepSize, int size, long seed, @Nullable FloatTensor startImage, int jitter,
    double totalVariation, double l2, double blurSigma, int octaves, double octaveScale, int batchSize,
    long memoryBudgetBytes, boolean preActivation, double epsilon, Cancellation cancellation) {

  public FilterOptions {
    require(steps >= 1, "steps must be at least 1, got " + steps);
    require(Double.isFinite(stepSize) && stepSize > 0, "stepSize must be a positive number, got " + stepSize);
    require(size >= 0, "size must be 0 (the model's input size) or positive, got " + size);
    require(jitter >= 0, "jitter must be 0 (off) or a number of pixels, got " + jitter);
    require(Double.isFinite(totalVariation) && totalVariation >= 0, "totalVariation must be >= 0, got " + totalVariation);
    require(Double.isFinite(l2) && l2 >= 0, "l2 must be >= 0, got " + l2);
    require(Double.isFinite(blurSigma) && blurSigma >= 0, "blurSigma must be >= 0, got " + blurSigma);
    require(octaves >= 1, "octaves must be at least 1, got " + octaves);
    require(Double.isFinite(octaveScale) && octaveScale > 1, "octaveScale must be greater than 1, got " + octaveScale);
    require(batchSize >= 0, "batchSize must be 0 (whole layer) or positive, got " + batchSize);
    require(Double.isFinite(epsilon) && epsilon > 0, "epsilon must be a positive number, got " + epsilon);
    require(memoryBudgetBytes > 0, "memoryBudgetBytes must be positive, got " + memoryBudgetBytes);
    require(cancellation != null, "cancellation must not be null (use Cancellation.none())");
    if (startImage != null) {
      boolean hwc = startImage.rank() == 3 || (startImage.rank() == 4 && startImage.dim(0) == 1);
      require(hwc, "startImage must be [H, W, C] or [1, H, W, C], got " + startImage);
      for (float v : startImage.data()) {
        require(Float.isFinite(v), "startImage contains NaN or infinite values");
      }
    }
  }

  /** The book's listing 5.38: 40 steps of size 1 from seeded gray noise, the model's input size, no regularization. */
  public static FilterOptions defaults() {
    return new FilterOptions(40, 1.0, 0, 0L, null, 0, 0, 0, 0, 1, 1.4, 0, 1L << 30, false, 1e-5, Cancellation.none());
  }

  /**
   * A regularized preset for real photo-trained models: jitter 2 px, total variation 0.01,
   * L2 0.001, gradient blur 0.5 px, 3 octaves of 1.4, epsilon 1e-12. The other values are kept.
   */
  public FilterOptions readable() {
    return withJitter(2).withTotalVariation(0.01).withL2(0.001).withBlurSigma(0.5).withOctaves(3, 1.4)
        .withEpsilon(1e-12);
  }

  public FilterOptions withSteps(int steps) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withStepSize(double stepSize) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withSize(int size) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withSeed(long seed) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withStartImage(@Nullable FloatTensor startImage) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withJitter(int jitter) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withTotalVariation(double totalVariation) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withL2(double l2) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withBlurSigma(double blurSigma) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withOctaves(int octaves, double octaveScale) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withBatchSize(int batchSize) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  /** One filter per batch: the book's loop, for comparison with the default whole-layer mode. */
  public FilterOptions oneByOne() {
    return withBatchSize(1);
  }

  public FilterOptions withPreActivation(boolean preActivation) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withEpsilon(double epsilon) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  public FilterOptions withMemoryBudgetBytes(long memoryBudgetBytes) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  /** See {@link #cancellation()}. */
  public FilterOptions withCancellation(Cancellation cancellation) {
    return new FilterOptions(steps, stepSize, size, seed, startImage, jitter, totalVariation, l2, blurSigma,
        octaves, octaveScale, batchSize, memoryBudgetBytes, preActivation, epsilon, cancellation);
  }

  /** Steps over all octaves: the length of {@link FilterResult#losses()}. */
  public int totalSteps() {
    return steps * octaves;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new InvalidInputException("filter visualization: " + message);
    }
  }

  @Override
  public String toString() {
    return "FilterOptions[steps=" + steps + ", stepSize=" + stepSize + ", size=" + size + ", seed=" + seed
        + ", startImage=" + Objects.toString(startImage, "noise") + ", jitter=" + jitter + ", totalVariation="
        + totalVariation + ", l2=" + l2 + ", blurSigma=" + blurSigma + ", octaves=" + octaves + ", octaveScale="
        + octaveScale + ", batchSize=" + batchSize + ", memoryBudgetBytes=" + memoryBudgetBytes + ", preActivation="
        + preActivation + ", epsilon=" + epsilon + ", cancellation=" + cancellation + "]";
  }
}
