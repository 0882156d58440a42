package dev.convlens.cli.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import org.tensorflow.TensorFlow;

/** Plain-text rendering of forward benchmark results: one row per setting, one column group per batch size. */
public final class ResultTable {
  private static final String NAME = "%-28s";
  private static final String GROUP = " | %9s %8s %8s %7s %6s";

  private ResultTable() {
  }

  /**
   * The table: a line naming each column group's batch size, a header row, one row per setting
   * (all results must hold the same settings in the same order), then a legend.
   */
  public static String format(List<ForwardResult> results) {
    if (results.isEmpty()) {
      throw new IllegalArgumentException("no results");
    }
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, NAME, "batch"));
    for (ForwardResult r : results) {
      b.append(String.format(Locale.ROOT, " | %-42s", r.batch()));
    }
    b.append('\n').append(String.format(Locale.ROOT, NAME, "setting"));
    for (int i = 0; i < results.size(); i++) {
      b.append(String.format(Locale.ROOT, GROUP, "median ms", "IQR ms", "paired", "p", "cores"));
    }
    b.append('\n');
    List<ForwardResult.Row> rows = results.get(0).rows();
    for (int s = 0; s < rows.size(); s++) {
      b.append(String.format(Locale.ROOT, NAME, rows.get(s).setting()));
      for (ForwardResult r : results) {
        if (!r.rows().get(s).setting().equals(rows.get(s).setting())) {
          throw new IllegalArgumentException("results differ in settings: " + r.rows().get(s).setting() + " vs "
              + rows.get(s).setting());
        }
        ForwardResult.Row row = r.rows().get(s);
        PairedComparison p = s == 0 ? null : r.versusBaseline(s);
        b.append(String.format(Locale.ROOT, GROUP, ms(row.wall().median()), ms(row.wall().iqr()),
            p == null ? "-" : percent(p.medianChangePercent()), p == null ? "-" : pValue(p.pValue()),
            cores(r.busyCores(s))));
      }
      b.append('\n');
    }
    b.append("median = median wall time of one forward pass; IQR = interquartile range; paired = median over the\n")
        .append("iterations of (time / first setting's time) - 1; p = two-sided Wilcoxon signed-rank p-value of those\n")
        .append("pairs; cores = process CPU time / wall time (threads spinning while they wait count as busy).\n")
        .append("default = TensorFlow Java's defaults (thread pools sized to the cores, grappler on, oneDNN off);\n")
        .append("intraN / interN = intra-/inter-op threads; no-opt = grappler off; elementwise = newRun().elementwiseCopies()\n")
        .append("instead of predict's bulk copies; onednn = TF_ENABLE_ONEDNN_OPTS=1. Each setting is a model loaded with its\n")
        .append("own session options; all ran in every iteration, in rotating order.\n");
    return b.toString();
  }

  /**
   * Cores, Java, OS and TensorFlow versions, and the 1-minute load average at the start and now:
   * what the figures depend on besides the model (a load above the core count means shared CPUs).
   */
  public static String machineLine(double loadAtStart) {
    Runtime rt = Runtime.getRuntime();
    return String.format(Locale.ROOT,
        "machine: %d cores, Java %s (%s), %s %s, TensorFlow %s, max heap %d MB, load average %s at start, %s at end",
        rt.availableProcessors(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
        System.getProperty("os.name"), System.getProperty("os.arch"), TensorFlow.version(),
        rt.maxMemory() >> 20, load(loadAtStart), load(loadAverage()));
  }

  /** The system's 1-minute load average, or a negative number where the OS does not tell. */
  public static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String load(double v) {
    return v < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.1f" : "%.2f", v);
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%+.1f%%", v);
  }

  private static String pValue(double v) {
    return Double.isNaN(v) ? "n/a" : v < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", v);
  }

  private static String cores(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
  }
}
