package dev.convlens.cli.bench;

import java.util.Arrays;
import java.util.Objects;

/**
 * One batch size's forward-pass timings: through the convlens API ({@code KerasModel.predict},
 * Java arrays in and out) and through a bare TF Java session run on the same graph and input.
 * {@code api.millis().get(i)} and {@code bare.millis().get(i)} were taken in the same iteration.
 * {@code apiCpu} and {@code bareCpu} are the process CPU times of the same calls, or null where the
 * JVM cannot read them.
 */
public record ForwardResult(int batch, long[] inputShape, long[] outputShape, int warmup, Timings api, Timings bare,
    Timings apiCpu, Timings bareCpu) {
  public ForwardResult {
    inputShape = inputShape.clone();
    outputShape = outputShape.clone();
    if (api.count() != bare.count()) {
      throw new IllegalArgumentException("api and bare timings differ in count: " + api.count() + " vs " + bare.count());
    }
    if ((apiCpu == null) != (bareCpu == null)) {
      throw new IllegalArgumentException("CPU times for one side only");
    }
  }

  /** Wall times only. */
  public ForwardResult(int batch, long[] inputShape, long[] outputShape, int warmup, Timings api, Timings bare) {
    this(batch, inputShape, outputShape, warmup, api, bare, null, null);
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
    return api.count();
  }

  /** The API's extra time over the bare run, from the medians: {@code (api / bare - 1) * 100}. */
  public double overheadPercent() {
    return (api.median() / bare.median() - 1) * 100;
  }

  /**
   * The median of the per-iteration overheads {@code (api_i / bare_i - 1) * 100}: each pair ran
   * back to back, so machine drift between iterations cancels out.
   */
  public double pairedOverheadPercent() {
    Double[] ratios = new Double[iterations()];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = (api.millis().get(i) / bare.millis().get(i) - 1) * 100;
    }
    return new Timings(Arrays.asList(ratios)).median();
  }

  /**
   * The API's extra process CPU time over the bare run, from the means, or NaN without CPU times.
   * CPU time grows less than wall time when other processes share the cores, so this is the
   * steadier figure on a busy machine (though not noise-free: caches and spinning threads still vary).
   * Means rather than medians: the OS counts CPU time in coarse ticks (often 10 ms),
   * and averaging over many calls evens the rounding out.
   */
  public double cpuOverheadPercent() {
    return apiCpu == null ? Double.NaN : (apiCpu.mean() / bareCpu.mean() - 1) * 100;
  }

  public double apiImagesPerSecond() {
    return batch * 1000.0 / api.median();
  }

  public double bareImagesPerSecond() {
    return batch * 1000.0 / bare.median();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ForwardResult r && batch == r.batch && warmup == r.warmup
        && Arrays.equals(inputShape, r.inputShape) && Arrays.equals(outputShape, r.outputShape)
        && api.equals(r.api) && bare.equals(r.bare) && Objects.equals(apiCpu, r.apiCpu)
        && Objects.equals(bareCpu, r.bareCpu);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(inputShape) + Arrays.hashCode(outputShape)) + api.hashCode() + bare.hashCode() + batch
        + Objects.hash(apiCpu, bareCpu);
  }

  @Override
  public String toString() {
    return "ForwardResult[batch=" + batch + ", input=" + Arrays.toString(inputShape) + ", output="
        + Arrays.toString(outputShape) + ", warmup=" + warmup + ", api=" + api + ", bare=" + bare
        + ", apiCpu=" + apiCpu + ", bareCpu=" + bareCpu + "]";
  }
}
