package dev.convlens.cli.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One batch size's forward-pass timings, one row per setting, all rows timed in the same
 * iterations: {@code rows.get(s).wall().millis().get(i)} of every setting {@code s} were taken in
 * iteration {@code i}. The first row is the baseline the others are compared with.
 */
public record ForwardResult(int batch, long[] inputShape, long[] outputShape, int warmup, List<Row> rows) {
  /**
   * One setting's wall times, and the process CPU times of the same calls (null where the JVM
   * cannot read them).
   */
  public record Row(String setting, Timings wall, @Nullable Timings cpu) {
    public Row {
      if (setting == null || wall == null) {
        throw new IllegalArgumentException("a row needs a setting and wall times");
      }
      if (cpu != null && cpu.count() != wall.count()) {
        throw new IllegalArgumentException("CPU and wall times differ in count for " + setting);
      }
    }

    /** Wall times only. */
    public Row(String setting, Timings wall) {
      this(setting, wall, null);
    }
  }

  public ForwardResult {
    inputShape = inputShape.clone();
    outputShape = outputShape.clone();
    rows = List.copyOf(rows);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no settings timed");
    }
    for (Row r : rows) {
      if (r.wall().count() != rows.get(0).wall().count()) {
        throw new IllegalArgumentException("settings differ in timing count: " + r.setting() + " has "
            + r.wall().count() + ", " + rows.get(0).setting() + " has " + rows.get(0).wall().count());
      }
      if ((r.cpu() == null) != (rows.get(0).cpu() == null)) {
        throw new IllegalArgumentException("CPU times for some settings only");
      }
    }
  }

  @Override
  public long[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public long[] outputShape() {
    return outputShape.clone();
  }

  public int iterations() {
    return rows.get(0).wall().count();
  }

  /** Row {@code row} against the first row, from the medians: {@code (median / baseline median - 1) * 100}. */
  public double changePercent(int row) {
    return (rows.get(row).wall().median() / rows.get(0).wall().median() - 1) * 100;
  }

  /** Row {@code row} against the first row, call by call (both ran in every iteration). */
  public PairedComparison versusBaseline(int row) {
    return PairedComparison.of(rows.get(row).wall(), rows.get(0).wall());
  }

  /**
   * Row {@code row} against the first row in mean process CPU time per call, or NaN without CPU
   * times. Means rather than medians: the OS counts CPU time in coarse ticks (often 10 ms), and
   * averaging over many calls evens the rounding out.
   */
  public double cpuChangePercent(int row) {
    Row r = rows.get(row);
    return r.cpu() == null ? Double.NaN : (r.cpu().mean() / Objects.requireNonNull(rows.get(0).cpu()).mean() - 1) * 100;
  }

  /**
   * Process CPU time over wall time of a row's calls: about how many cores were busy (thread pools
   * that spin while waiting count as busy), or NaN without CPU times.
   */
  public double busyCores(int row) {
    Row r = rows.get(row);
    return r.cpu() == null ? Double.NaN : r.cpu().mean() / r.wall().mean();
  }

  public double imagesPerSecond(int row) {
    return batch * 1000.0 / rows.get(row).wall().median();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ForwardResult r && batch == r.batch && warmup == r.warmup
        && Arrays.equals(inputShape, r.inputShape) && Arrays.equals(outputShape, r.outputShape) && rows.equals(r.rows);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * Arrays.hashCode(inputShape) + Arrays.hashCode(outputShape)) + rows.hashCode()) + batch;
  }

  @Override
  public String toString() {
    return "ForwardResult[batch=" + batch + ", input=" + Arrays.toString(inputShape) + ", output="
        + Arrays.toString(outputShape) + ", warmup=" + warmup + ", rows=" + rows + "]";
  }
}
