package dev.convlens.cli.bench;

import java.util.Arrays;

/**
 * One batch size's forward-pass timings: through the convlens API ({@code KerasModel.predict},
 * Java arrays in and out) and through a bare TF Java session run on the same graph and input.
 * {@code api.millis().get(i)} and {@code bare.millis().get(i)} were taken in the same iteration.
 */
public record ForwardResult(int batch, long[] inputShape, long[] outputShape, int warmup, Timings api, Timings bare) {
  public ForwardResult {
    inputShape = inputShape.clone();
    outputShape = outputShape.clone();
    if (api.count() != bare.count()) {
      throw new IllegalArgumentException("api and bare timings differ in count: " + api.count() + " vs " + bare.count());
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
        && api.equals(r.api) && bare.equals(r.bare);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(inputShape) + Arrays.hashCode(outputShape)) + api.hashCode() + bare.hashCode() + batch;
  }

  @Override
  public String toString() {
    return "ForwardResult[batch=" + batch + ", input=" + Arrays.toString(inputShape) + ", output="
        + Arrays.toString(outputShape) + ", warmup=" + warmup + ", api=" + api + ", bare=" + bare + "]";
  }
}
