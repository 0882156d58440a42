package dev.convlens.cli.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import org.tensorflow.TensorFlow;

/** Plain-text rendering of forward benchmark results, one row per batch size. */
public final class ResultTable {
  private static final String ROW = "%5s  %9s  %9s  %8s  %8s  %8s  %9s  %10s  %8s  %8s  %15s  %15s%n";

  private ResultTable() {
  }

  /** The table, a header row then one row per result, with a legend below. */
  public static String format(List<ForwardResult> results) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, ROW, "batch", "api ms", "bare ms", "overhead", "paired", "cpu",
        "api img/s", "bare img/s", "api IQR", "bare IQR", "api min-max", "bare min-max"));
    for (ForwardResult r : results) {
      b.append(String.format(Locale.ROOT, ROW, r.batch(), ms(r.api().median()), ms(r.bare().median()),
          percent(r.overheadPercent()), percent(r.pairedOverheadPercent()), percent(r.cpuOverheadPercent()),
          rate(r.apiImagesPerSecond()), rate(r.bareImagesPerSecond()),
          ms(r.api().iqr()), ms(r.bare().iqr()), range(r.api()), range(r.bare())));
    }
    b.append("ms = median wall time of one forward pass; overhead = (api / bare - 1) x 100 from the medians;\n")
        .append("paired = median of the per-iteration overheads (api and bare run back to back);\n")
        .append("cpu = overhead in mean process CPU time per call (steadier than wall time when other processes share the CPUs).\n")
        .append("api = KerasModel.predict(FloatArray), Java arrays in and out; "
            + "bare = session.runner().feed(input, tensor).fetch(output).run() on a prebuilt tensor.\n");
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
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%+.2f%%", v);
  }

  private static String rate(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.1f" : "%.2f", v);
  }

  private static String range(Timings t) {
    return ms(t.min()) + "-" + ms(t.max());
  }
}
