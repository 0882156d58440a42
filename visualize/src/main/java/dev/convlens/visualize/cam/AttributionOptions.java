package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * How to attribute: the target ({@link Target#topClass()} by default; a class target is scored
 * on its logit unless it says otherwise), the Integrated Gradients
 * steps and how many interpolation points go into one graph run, the baseline (null: all zeros,
 * in the model's input space, so after any preprocessing), and when to stop ({@link #withCancellation});
 * SmoothGrad's noise level, samples and seed; occlusion's patch, stride and fill value.
 */
public record AttributionOptions(Target target, int steps, int batchSize, @Nullable FloatTensor baseline,
    Cancellation cancellation, double noiseLevel, int samples, long seed, int patch, int stride, float fill) {
  public static final int DEFAULT_STEPS = 50;
  public static final int DEFAULT_BATCH_SIZE = 16;
  /** SmoothGrad's noise: the authors' code's default (the paper recommends 10-20% of the input range). */
  public static final double DEFAULT_NOISE_LEVEL = 0.15;
  /** SmoothGrad's noisy copies: the paper's n = 50, past which it saw little change. */
  public static final int DEFAULT_SAMPLES = 50;
  public static final int DEFAULT_PATCH = 16;
  public static final int DEFAULT_STRIDE = 8;

  public AttributionOptions {
    if (target == null) {
      throw new InvalidInputException("attribution options need a target (Target.topClass() for the top one)");
    }
    if (steps < 1) {
      throw new InvalidInputException("Integrated Gradients steps must be at least 1, got " + steps);
    }
    if (batchSize < 1) {
      throw new InvalidInputException("Integrated Gradients batch size must be at least 1, got " + batchSize);
    }
    if (cancellation == null) {
      throw new InvalidInputException("attribution options need a cancellation (Cancellation.none() for none)");
    }
    if (!(noiseLevel >= 0) || Double.isInfinite(noiseLevel)) {
      throw new InvalidInputException("SmoothGrad noise level must be a finite number >= 0, got " + noiseLevel);
    }
    if (samples < 1) {
      throw new InvalidInputException("SmoothGrad samples must be at least 1, got " + samples);
    }
    if (patch < 1 || stride < 1) {
      throw new InvalidInputException("occlusion patch and stride must be at least 1, got patch " + patch
          + " and stride " + stride);
    }
    if (!Float.isFinite(fill)) {
      throw new InvalidInputException("occlusion fill value must be finite, got " + fill);
    }
  }

  /**
   * Top-1 class (its logit), 50 steps, 16 points per run, zero baseline, no cancellation; SmoothGrad with
   * noise level 0.15 and 50 samples from seed 0; occlusion with 16 x 16 patches every 8 pixels, filled with 0.
   */
  public static AttributionOptions defaults() {
    return new AttributionOptions(Target.topClass(), DEFAULT_STEPS, DEFAULT_BATCH_SIZE, null, Cancellation.none(),
        DEFAULT_NOISE_LEVEL, DEFAULT_SAMPLES, 0L, DEFAULT_PATCH, DEFAULT_STRIDE, 0f);
  }

  /** The class to explain, by its logit; -1 for the image's top-1 class. */
  public AttributionOptions withClassIndex(int classIndex) {
    return withTarget(classIndex < 0 ? Target.topClass() : Target.classIndex(classIndex));
  }

  /** What to explain: a class (probability or logit), several, a unit, a region, a similarity. */
  public AttributionOptions withTarget(Target target) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation, noiseLevel, samples, seed, patch, stride,
        fill);
  }

  /** Integrated Gradients: {@code steps + 1} points {@code baseline + alpha (x - baseline)}, alpha from 0 to 1. */
  public AttributionOptions withSteps(int steps) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation, noiseLevel, samples, seed, patch, stride,
        fill);
  }

  /** How many images (interpolation points, noisy or occluded copies) one graph run takes: more is faster and needs more memory. */
  public AttributionOptions withBatchSize(int batchSize) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation, noiseLevel, samples, seed, patch, stride,
        fill);
  }

  /** The Integrated Gradients baseline, shaped as one image {@code [H, W, C]}; null for all zeros. */
  public AttributionOptions withBaseline(@Nullable FloatTensor baseline) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation, noiseLevel, samples, seed, patch, stride,
        fill);
  }

  /** Checked before every graph run; a run once started runs to its end. */
  public AttributionOptions withCancellation(Cancellation cancellation) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation, noiseLevel, samples, seed, patch, stride,
        fill);
  }

  /** SmoothGrad: the noise's standard deviation as a fraction of the image's range {@code max(x) - min(x)}. */
  public AttributionOptions withNoiseLevel(double noiseLevel) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation, noiseLevel, samples, seed, patch,
        stride, fill);
  }

  /** SmoothGrad: how many noisy copies of the image are averaged. */
  public AttributionOptions withSamples(int samples) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation, noiseLevel, samples, seed, patch,
        stride, fill);
  }

  /** SmoothGrad: the noise's seed; the same seed gives the same map. */
  public AttributionOptions withSeed(long seed) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation, noiseLevel, samples, seed, patch,
        stride, fill);
  }

  /** Occlusion: the side of the square patch (clipped to the image) and how far it moves each step. */
  public AttributionOptions withPatch(int patch, int stride) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation, noiseLevel, samples, seed, patch,
        stride, fill);
  }

  /** Occlusion: the value the patch is filled with, in the model's input space (after preprocessing). */
  public AttributionOptions withFill(float fill) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation, noiseLevel, samples, seed, patch,
        stride, fill);
  }
}
