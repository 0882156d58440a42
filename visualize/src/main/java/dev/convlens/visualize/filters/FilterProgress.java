package dev.convlens.visualize.filters;

/**
 * How far a filter visualization run is, reported after every step.
 *
 * @param filtersDone filters finished before the current batch
 * @param filtersTotal filters requested in this run
 * @param batchFilters filters being optimized together in the current batch
 * @param step steps done in the current batch, 1..{@code steps}
 * @param steps steps per batch (over all octaves)
 * @param loss mean over the current batch of each filter's loss before this step's update
 */
public record FilterProgress(int filtersDone, int filtersTotal, int batchFilters, int step, int steps, double loss) {
  /** Fraction of the whole run done, 0..1, counting partial batches by their steps. */
  public double fraction() {
    return (filtersDone + batchFilters * (double) step / steps) / filtersTotal;
  }
}
