package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * How to attribute: the class ({@code -1}: the top-1 class of the image), the Integrated Gradients
 * steps and how many interpolation points go into one graph run, the baseline (null: all zeros,
 * in the model's input space, so after any preprocessing), and when to stop ({@link #withCancellation}).
 */
public record AttributionOptions(int classIndex, int steps, int batchSize, @Nullable FloatTensor baseline,
    Cancellation cancellation) {
  public static final int DEFAULT_STEPS = 50;
  public static final int DEFAULT_BATCH_SIZE = 16;

  public AttributionOptions {
    if (classIndex < -1) {
      throw new InvalidInputException("class index must be -1 (top-1) or a class, got " + classIndex);
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
  }

  /** Top-1 class, 50 steps, 16 points per run, zero baseline, no cancellation. */
  public static AttributionOptions defaults() {
    return new AttributionOptions(-1, DEFAULT_STEPS, DEFAULT_BATCH_SIZE, null, Cancellation.none());
  }

  /** The class to explain; -1 for the image's top-1 class. */
  public AttributionOptions withClassIndex(int classIndex) {
    return new AttributionOptions(classIndex, steps, batchSize, baseline, cancellation);
  }

  /** Integrated Gradients: {@code steps + 1} points {@code baseline + alpha (x - baseline)}, alpha from 0 to 1. */
  public AttributionOptions withSteps(int steps) {
    return new AttributionOptions(classIndex, steps, batchSize, baseline, cancellation);
  }

  /** How many interpolation points one graph run takes: more is faster and needs more memory. */
  public AttributionOptions withBatchSize(int batchSize) {
    return new AttributionOptions(classIndex, steps, batchSize, baseline, cancellation);
  }

  /** The Integrated Gradients baseline, shaped as one image {@code [H, W, C]}; null for all zeros. */
  public AttributionOptions withBaseline(@Nullable FloatTensor baseline) {
    return new AttributionOptions(classIndex, steps, batchSize, baseline, cancellation);
  }

  /** Checked before every graph run; a run once started runs to its end. */
  public AttributionOptions withCancellation(Cancellation cancellation) {
    return new AttributionOptions(classIndex, steps, batchSize, baseline, cancellation);
  }
}
