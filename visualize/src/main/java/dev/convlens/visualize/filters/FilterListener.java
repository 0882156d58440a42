package dev.convlens.visualize.filters;

/** Receives progress of a filter visualization run, on the calling thread, after every step. */
@FunctionalInterface
public interface FilterListener {
  /** A listener that ignores everything. */
  FilterListener NONE = p -> { };

  void onEvent(FilterProgress progress);
}
