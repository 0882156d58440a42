package dev.convlens.visualize.metrics;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A ROAD curve: the class probability after removing and imputing each fraction of pixels, most
 * relevant first (MoRF) or least relevant first (LeRF); {@code original} is the probability of
 * the untouched image. Immutable: the arrays are copied in and out.
 */
public record RoadCurve(boolean mostRelevantFirst, double[] fractions, double[] probabilities, double original) {
  public RoadCurve {
    fractions = fractions.clone();
    probabilities = probabilities.clone();
  }

  @Override
  public double[] fractions() {
    return fractions.clone();
  }

  @Override
  public double[] probabilities() {
    return probabilities.clone();
  }

  /** The mean probability over the fractions: one number per curve (lower is better for MoRF, higher for LeRF). */
  public double mean() {
    return Arrays.stream(probabilities).average().orElse(Double.NaN);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RoadCurve c && mostRelevantFirst == c.mostRelevantFirst && Arrays.equals(fractions, c.fractions)
        && Arrays.equals(probabilities, c.probabilities) && Double.compare(original, c.original) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(fractions) + Arrays.hashCode(probabilities);
  }

  @Override
  public String toString() {
    return "RoadCurve[" + (mostRelevantFirst ? "MoRF" : "LeRF") + ", fractions=" + Arrays.toString(fractions)
        + ", probabilities=" + Arrays.toString(probabilities) + ", original=" + original + "]";
  }
}
