package dev.convlens.cli.bench;

import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.stat.descriptive.rank.Percentile.EstimationType;

/**
 * Wall-clock times of repeated calls, in milliseconds and in the order they were taken (so two
 * interleaved series can be compared call by call). Quantiles interpolate linearly between order
 * statistics, as numpy's default does (Commons Math's estimation type R-7).
 */
public record Timings(List<Double> millis) {
  public Timings {
    millis = List.copyOf(millis);
    if (millis.isEmpty()) {
      throw new IllegalArgumentException("no timings");
    }
  }

  static Timings ofNanos(long[] nanos) {
    Double[] ms = new Double[nanos.length];
    for (int i = 0; i < nanos.length; i++) {
      ms[i] = nanos[i] / 1e6;
    }
    return new Timings(Arrays.asList(ms));
  }

  /** The median of {@code values} (numpy's interpolation; the mean of the middle two for an even count). */
  static double median(double[] values) {
    return quantile(values, 0.5);
  }

  public int count() {
    return millis.size();
  }

  double[] values() {
    return millis.stream().mapToDouble(Double::doubleValue).toArray();
  }

  public double mean() {
    return StatUtils.mean(values());
  }

  public double median() {
    return quantile(0.5);
  }

  public double min() {
    return quantile(0);
  }

  public double max() {
    return quantile(1);
  }

  /** Interquartile range: the 75th minus the 25th percentile. */
  public double iqr() {
    return quantile(0.75) - quantile(0.25);
  }

  /** The {@code q}-quantile, {@code 0 <= q <= 1}. */
  public double quantile(double q) {
    return quantile(values(), q);
  }

  private static double quantile(double[] values, double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
    }
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    // Percentile takes p in (0, 100]: the 0-quantile is the minimum.
    return q == 0 ? StatUtils.min(values) : new Percentile().withEstimationType(EstimationType.R_7).evaluate(values, q * 100);
  }
}
