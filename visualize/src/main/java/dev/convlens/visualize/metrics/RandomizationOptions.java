package dev.convlens.visualize.metrics;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.InvalidInputException;

/**
 * How to run the model-randomization check.
 *
 * @param layers how many layers with weights to re-initialise, counted back from the output, one
 *     more at each step (Adebayo et al.'s cascade); the model must have that many
 * @param seed the seed of the re-initialised weights
 * @param cancellation checked before every map the check computes
 */
public record RandomizationOptions(int layers, long seed, Cancellation cancellation) {
  public RandomizationOptions {
    Maps.positiveInt(layers, "randomized layers");
    InvalidInputException.requireNonNull(cancellation, "randomization options: cancellation (Cancellation.none() for none)");
  }

  /** The top 3 weighted layers, one at a time, seed 0, no cancellation. */
  public static RandomizationOptions defaults() {
    return new RandomizationOptions(3, 0, Cancellation.none());
  }

  public RandomizationOptions withLayers(int layers) {
    return new RandomizationOptions(layers, seed, cancellation);
  }

  public RandomizationOptions withSeed(long seed) {
    return new RandomizationOptions(layers, seed, cancellation);
  }

  public RandomizationOptions withCancellation(Cancellation cancellation) {
    return new RandomizationOptions(layers, seed, cancellation);
  }
}
