package dev.convlens.cli;

import dev.convlens.visualize.filters.FilterListener;
import dev.convlens.visualize.filters.FilterProgress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * One line on stderr, redrawn with '\r', over several renders in a row: the bar covers all of them
 * (render {@code i} of {@code n} fills its {@code 1/n}), then what is done (filters of the book's
 * ascent, objectives of feature visualization), step and value.
 */
final class RenderProgress {
  private static final int WIDTH = 30;
  private final PrintWriter err;
  private final int renders;
  private final String units;
  private final String valueName;
  private final long start = System.nanoTime();
  private long lastDraw;
  private boolean drawn;

  /** Progress of {@code renders} feature visualization runs: objectives and their values. */
  RenderProgress(PrintWriter err, int renders) {
    this(err, renders, "objectives", "value");
  }

  RenderProgress(PrintWriter err, int renders, String units, String valueName) {
    this.err = err;
    this.renders = renders;
    this.units = units;
    this.valueName = valueName;
  }

  /** The listener of render {@code index} (0-based), named {@code name} on the line (empty: no name). */
  FilterListener render(int index, String name) {
    return p -> update(index, name, p);
  }

  private void update(int index, String name, FilterProgress p) {
    long now = System.nanoTime();
    boolean batchDone = p.step() == p.steps();
    if (drawn && !batchDone && now - lastDraw < 100_000_000L) {
      return; // at most ten redraws a second
    }
    lastDraw = now;
    drawn = true;
    double fraction = (index + Math.min(1, p.fraction())) / renders;
    int filled = (int) Math.round(fraction * WIDTH);
    int done = p.filtersDone() + (batchDone ? p.batchFilters() : 0);
    err.printf(Locale.ROOT, "\r[%s%s] %s%d/%d %s, step %d/%d, %s %.4g, %.0f s   ", "#".repeat(filled),
        "-".repeat(WIDTH - filled), name.isEmpty() ? "" : name + ": ", done, p.filtersTotal(), units, p.step(), p.steps(),
        valueName, p.loss(), (now - start) / 1e9);
    err.flush();
  }

  void finish() {
    if (drawn) {
      err.println();
      err.flush();
    }
  }
}
