package dev.convlens.visualize.metrics;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.InvalidInputException;

/**
 * How to run a deletion or insertion curve.
 *
 * @param pixelsPerStep pixels removed or inserted per step; {@code -1}: the image width, RISE's
 *     224 on 224 x 224 images ({@code H*W / width + 1} points)
 * @param substrate what removed pixels become, and what insertion starts from
 * @param batchSize how many perturbed images go into one graph run: more is faster and needs more memory
 * @param seed orders pixels of equal map value (a random order drawn from it)
 * @param cancellation checked before every graph run
 */
public record CurveOptions(int pixelsPerStep, Substrate substrate, int batchSize, long seed, Cancellation cancellation) {
  public static final int DEFAULT_BATCH_SIZE = 16;

  public CurveOptions {
    if (pixelsPerStep < 1 && pixelsPerStep != -1) {
      throw new InvalidInputException("pixels per step must be at least 1 (or -1: the image width), got "
          + pixelsPerStep);
    }
    InvalidInputException.requireNonNull(substrate, "curve options: substrate");
    Maps.positiveInt(batchSize, "curve batch size");
    InvalidInputException.requireNonNull(cancellation, "curve options: cancellation (Cancellation.none() for none)");
  }

  /** One image row per step, zero substrate, 16 images per run, seed 0, no cancellation. */
  public static CurveOptions defaults() {
    return new CurveOptions(-1, Substrate.zero(), DEFAULT_BATCH_SIZE, 0, Cancellation.none());
  }

  public CurveOptions withPixelsPerStep(int pixelsPerStep) {
    return new CurveOptions(pixelsPerStep, substrate, batchSize, seed, cancellation);
  }

  public CurveOptions withSubstrate(Substrate substrate) {
    return new CurveOptions(pixelsPerStep, substrate, batchSize, seed, cancellation);
  }

  public CurveOptions withBatchSize(int batchSize) {
    return new CurveOptions(pixelsPerStep, substrate, batchSize, seed, cancellation);
  }

  public CurveOptions withSeed(long seed) {
    return new CurveOptions(pixelsPerStep, substrate, batchSize, seed, cancellation);
  }

  public CurveOptions withCancellation(Cancellation cancellation) {
    return new CurveOptions(pixelsPerStep, substrate, batchSize, seed, cancellation);
  }
}
