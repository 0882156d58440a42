package dev.convlens.cli.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Wall-clock times of repeated calls, in milliseconds and in the order they were taken (so two
 * interleaved series can be compared call by call). Quantiles interpolate linearly between order
 * statistics, as numpy's default does.
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

  public int count() {
    return millis.size();
  }

  public double mean() {
    return millis.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
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
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
    }
    double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
