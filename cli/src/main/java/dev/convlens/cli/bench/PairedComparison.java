package dev.convlens.cli.bench;

import org.apache.commons.math3.stat.inference.WilcoxonSignedRankTest;

/**
 * Two series timed in the same iterations, compared call by call: the median of the
 * per-iteration ratios (machine drift between iterations cancels out) and the two-sided p-value
 * of the Wilcoxon signed-rank test on the pairs (exact up to 30 pairs, normal approximation above).
 *
 * @param medianChangePercent {@code (median(a_i / b_i) - 1) * 100}
 * @param pValue the probability of differences at least this consistent if neither side were faster
 */
public record PairedComparison(int pairs, double medianChangePercent, double pValue) {
  /** Compares {@code a} with {@code baseline}; both must hold the same number of timings. */
  public static PairedComparison of(Timings a, Timings baseline) {
    if (a.count() != baseline.count()) {
      throw new IllegalArgumentException("paired series differ in count: " + a.count() + " vs " + baseline.count());
    }
    double[] x = a.values();
    double[] y = baseline.values();
    double[] ratios = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      ratios[i] = x[i] / y[i];
    }
    double change = (Timings.median(ratios) - 1) * 100;
    // One pair has no spread to test; identical series would divide by zero inside the test.
    double p = x.length < 2 || java.util.Arrays.equals(x, y) ? Double.NaN
        : new WilcoxonSignedRankTest().wilcoxonSignedRankTest(x, y, x.length <= 30);
    return new PairedComparison(x.length, change, p);
  }
}
