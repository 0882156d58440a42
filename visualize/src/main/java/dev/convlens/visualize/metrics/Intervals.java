package dev.convlens.visualize.metrics;

import dev.convlens.bridge.InvalidInputException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;

/**
 * Confidence intervals for comparing methods over many images: the bootstrap percentile interval
 * of a mean (per-image AUCs, drops) and the Wilson score interval of a proportion (pointing-game
 * hits, increases in confidence).
 */
public final class Intervals {
  public static final int DEFAULT_RESAMPLES = 1000;
  public static final double DEFAULT_CONFIDENCE = 0.95;

  private Intervals() {}

  /** {@link #bootstrapMean(double[], int, double, long)} with 1000 resamples, 95 % and seed 0. */
  public static Interval bootstrapMean(double[] values) {
    return bootstrapMean(values, DEFAULT_RESAMPLES, DEFAULT_CONFIDENCE, 0);
  }

  /**
   * The percentile bootstrap: {@code resamples} means of {@code values.length} draws with
   * replacement (seeded), and the {@code (1 - confidence) / 2} and {@code (1 + confidence) / 2}
   * quantiles of those means (the lower and higher order statistic, no interpolation). The
   * estimate is the plain mean.
   */
  public static Interval bootstrapMean(double[] values, int resamples, double confidence, long seed) {
    if (values == null || values.length == 0) {
      throw new InvalidInputException("bootstrap: no values");
    }
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new InvalidInputException("bootstrap: non-finite value " + v);
      }
    }
    Maps.positiveInt(resamples, "bootstrap resamples");
    checkConfidence(confidence);
    int n = values.length;
    SplittableRandom r = new SplittableRandom(seed);
    double[] means = new double[resamples];
    for (int b = 0; b < resamples; b++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += values[r.nextInt(n)];
      }
      means[b] = s / n;
    }
    Arrays.sort(means);
    double alpha = (1 - confidence) / 2;
    int lo = (int) Math.floor(alpha * (resamples - 1));
    int hi = (int) Math.ceil((1 - alpha) * (resamples - 1));
    return new Interval(Arrays.stream(values).average().orElseThrow(), means[lo], means[hi], confidence);
  }

  /** The Wilson score interval at 95 %. */
  public static Interval wilson(int successes, int trials) {
    return wilson(successes, trials, DEFAULT_CONFIDENCE);
  }

  /** The Wilson score interval of {@code successes / trials} (Commons Math's {@code WilsonScoreInterval}). */
  public static Interval wilson(int successes, int trials, double confidence) {
    if (trials < 1 || successes < 0 || successes > trials) {
      throw new InvalidInputException("Wilson interval needs 0 <= successes <= trials and trials >= 1; got "
          + successes + " of " + trials);
    }
    checkConfidence(confidence);
    ConfidenceInterval ci = new WilsonScoreInterval().createInterval(trials, successes, confidence);
    return new Interval((double) successes / trials, ci.getLowerBound(), ci.getUpperBound(), confidence);
  }

  private static void checkConfidence(double confidence) {
    if (!(confidence > 0 && confidence < 1)) {
      throw new InvalidInputException("confidence level must be in (0, 1), got " + confidence);
    }
  }
}
