package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * How to attribute: the target ({@link Target#topClass()} by default; a class target is scored
 * on its logit unless it says otherwise), the Integrated Gradients
 * steps and how many interpolation points go into one graph run, the baseline (null: all zeros,
 * in the model's input space, so after any preprocessing), and when to stop ({@link #withCancellation}).
 */
public record AttributionOptions(Target target, int steps, int batchSize, @Nullable FloatTensor baseline,
    Cancellation cancellation) {
  public static final int DEFAULT_STEPS = 50;
  public static final int DEFAULT_BATCH_SIZE = 16;

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
  }

  /** Top-1 class (its logit), 50 steps, 16 points per run, zero baseline, no cancellation. */
  public static AttributionOptions defaults() {
    return new AttributionOptions(Target.topClass(), DEFAULT_STEPS, DEFAULT_BATCH_SIZE, null, Cancellation.none());
  }

  /** The class to explain, by its logit; -1 for the image's top-1 class. */
  public AttributionOptions withClassIndex(int classIndex) {
    return withTarget(classIndex < 0 ? Target.topClass() : Target.classIndex(classIndex));
  }

  /** What to explain: a class (probability or logit), several, a unit, a region, a similarity. */
  public AttributionOptions withTarget(Target target) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation);
  }

  /** Integrated Gradients: {@code steps + 1} points {@code baseline + alpha (x - baseline)}, alpha from 0 to 1. */
  public AttributionOptions withSteps(int steps) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation);
  }

  /** How many interpolation points one graph run takes: more is faster and needs more memory. */
  public AttributionOptions withBatchSize(int batchSize) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation);
  }

  /** The Integrated Gradients baseline, shaped as one image {@code [H, W, C]}; null for all zeros. */
  public AttributionOptions withBaseline(@Nullable FloatTensor baseline) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation);
  }

  /** Checked before every graph run; a run once started runs to its end. */
  public AttributionOptions withCancellation(Cancellation cancellation) {
    return new AttributionOptions(target, steps, batchSize, baseline, cancellation);
  }
}
