package dev.convlens.visualize.metrics;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.InvalidInputException;

/**
 * How to run ROAD.
 *
 * @param mostRelevantFirst true: MoRF, remove the top fraction of pixels (a faithful map makes the
 *     probability fall fast); false: LeRF, remove the bottom fraction (it should stay high)
 * @param fractions the fractions of pixels removed, each in (0, 1), strictly increasing; by default 0.1 to 0.9
 * @param noise the standard deviation of the Gaussian noise added to every imputed value, in input
 *     space (the paper's code: 0.01 on normalized images)
 * @param seed the noise, and the order of pixels with equal map values
 * @param batchSize how many imputed images go into one graph run
 * @param cancellation checked before every imputation batch and graph run
 */
public record RoadOptions(boolean mostRelevantFirst, double[] fractions, double noise, long seed, int batchSize,
    Cancellation cancellation) {
  public static final double DEFAULT_NOISE = 0.01;

  public RoadOptions {
    InvalidInputException.requireNonNull(fractions, "ROAD fractions");
    if (fractions.length == 0) {
      throw new InvalidInputException("ROAD needs at least one fraction");
    }
    fractions = fractions.clone();
    for (int i = 0; i < fractions.length; i++) {
      if (!(fractions[i] > 0 && fractions[i] < 1) || (i > 0 && fractions[i] <= fractions[i - 1])) {
        throw new InvalidInputException("ROAD fractions must lie in (0, 1) and increase; got "
            + java.util.Arrays.toString(fractions));
      }
    }
    if (!(noise >= 0) || Double.isInfinite(noise)) {
      throw new InvalidInputException("ROAD noise must be 0 or more, got " + noise);
    }
    Maps.positiveInt(batchSize, "ROAD batch size");
    InvalidInputException.requireNonNull(cancellation, "ROAD options: cancellation (Cancellation.none() for none)");
  }

  /** MoRF, 10 % to 90 % in steps of 10, noise 0.01, seed 0, 10 images per run (the original and the nine), no cancellation. */
  public static RoadOptions defaults() {
    return new RoadOptions(true, new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, DEFAULT_NOISE, 0, 10,
        Cancellation.none());
  }

  @Override
  public double[] fractions() {
    return fractions.clone();
  }

  /** MoRF (true) or LeRF (false). */
  public RoadOptions withMostRelevantFirst(boolean mostRelevantFirst) {
    return new RoadOptions(mostRelevantFirst, fractions, noise, seed, batchSize, cancellation);
  }

  public RoadOptions withFractions(double... fractions) {
    return new RoadOptions(mostRelevantFirst, fractions, noise, seed, batchSize, cancellation);
  }

  public RoadOptions withNoise(double noise) {
    return new RoadOptions(mostRelevantFirst, fractions, noise, seed, batchSize, cancellation);
  }

  public RoadOptions withSeed(long seed) {
    return new RoadOptions(mostRelevantFirst, fractions, noise, seed, batchSize, cancellation);
  }

  public RoadOptions withBatchSize(int batchSize) {
    return new RoadOptions(mostRelevantFirst, fractions, noise, seed, batchSize, cancellation);
  }

  public RoadOptions withCancellation(Cancellation cancellation) {
    return new RoadOptions(mostRelevantFirst, fractions, noise, seed, batchSize, cancellation);
  }
}
