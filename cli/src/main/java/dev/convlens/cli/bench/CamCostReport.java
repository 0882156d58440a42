package dev.convlens.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code bench gradcam}'s result: the median of every (method, batch) and its ratio to the plain
 * forward pass at the same batch, Integrated Gradients batched against one point per run, and
 * Faster-Score-CAM against Score-CAM.
 *
 * @param setup what was measured and how, one line each, printed above the table
 * @param fasterScoreCam why there is no Faster-Score-CAM comparison (absent from this build, not selected), or null
 */
record CamCostReport(List<String> setup, List<Row> rows, int igSteps, int igBatch, @Nullable String fasterScoreCam) {
  static final String FORWARD = "forward";
  static final String SCORE_CAM = "scorecam";
  static final String FASTER_SCORE_CAM = "fasterscorecam";

  /** One (method, batch): {@code ratio} is NaN when no forward pass at that batch was timed. */
  record Row(String method, int batch, int runs, boolean slow, double medianMs, double ratio) {}

  CamCostReport {
    setup = List.copyOf(setup);
    rows = List.copyOf(rows);
  }

  static String igBatchedName(int batch) {
    return "ig (" + batch + "/run)";
  }

  static String igStepName() {
    return "ig (1/run)";
  }

  static CamCostReport of(List<String> setup, List<CostRounds.Measured> measured, int igSteps, int igBatch,
      @Nullable String fasterScoreCam) {
    Map<Integer, Double> forward = new HashMap<>();
    for (CostRounds.Measured m : measured) {
      if (m.task().name().equals(FORWARD)) {
        forward.put(m.task().batch(), m.timings().median());
      }
    }
    List<Row> rows = new ArrayList<>();
    for (CostRounds.Measured m : measured) {
      double median = m.timings().median();
      Double f = forward.get(m.task().batch());
      rows.add(new Row(m.task().name(), m.task().batch(), m.timings().count(), m.task().slow(), median,
          f == null ? Double.NaN : median / f));
    }
    return new CamCostReport(setup, rows, igSteps, igBatch, fasterScoreCam);
  }

  /** The median of {@code method} at {@code batch}, or NaN when it was not timed. */
  double median(String method, int batch) {
    return rows.stream().filter(r -> r.method().equals(method) && r.batch() == batch).mapToDouble(Row::medianMs)
        .findFirst().orElse(Double.NaN);
  }

  /** Integrated Gradients one point per run over batched, or NaN when either was not timed. */
  double igRatio() {
    return median(igStepName(), 1) / median(igBatchedName(igBatch), 1);
  }

  /** The batches at which both Faster-Score-CAM and Score-CAM were timed. */
  List<Integer> fasterScoreCamBatches() {
    return rows.stream().filter(r -> r.method().equals(FASTER_SCORE_CAM) && !Double.isNaN(median(SCORE_CAM, r.batch())))
        .map(Row::batch).toList();
  }

  String text() {
    StringBuilder b = new StringBuilder();
    setup.forEach(l -> b.append(l).append('\n'));
    b.append(String.format(Locale.ROOT, "%-18s %6s %5s %12s %10s%n", "method", "batch", "runs", "median ms", "x forward"));
    for (Row r : rows) {
      b.append(String.format(Locale.ROOT, "%-18s %6d %5d %12.1f %10s%n", r.method() + (r.slow() ? " *" : ""), r.batch(),
          r.runs(), r.medianMs(), Double.isNaN(r.ratio()) ? "n/a" : String.format(Locale.ROOT, "%.2f", r.ratio())));
    }
    b.append("* Score-CAM-like and Integrated Gradients: timed in fewer rounds, no warm-up (--slow-iterations, --slow-batch)\n");
    double ig = igRatio();
    if (!Double.isNaN(ig)) {
      b.append(String.format(Locale.ROOT, "Integrated Gradients, %d steps: %d points per run %.1f ms, 1 point per run %.1f ms;"
          + " one point per run takes %.2fx the batched time%n", igSteps, igBatch,
          median(igBatchedName(igBatch), 1), median(igStepName(), 1), ig));
    }
    if (fasterScoreCam != null) {
      b.append("Faster-Score-CAM vs Score-CAM: ").append(fasterScoreCam).append('\n');
    }
    if (fasterScoreCam == null && fasterScoreCamBatches().isEmpty()) {
      b.append("Faster-Score-CAM vs Score-CAM: not timed at a common batch\n");
    }
    for (int batch : fasterScoreCamBatches()) {
      double f = median(FASTER_SCORE_CAM, batch);
      double s = median(SCORE_CAM, batch);
      b.append(String.format(Locale.ROOT, "Faster-Score-CAM (its default N) vs Score-CAM, batch %d: %.1f ms vs %.1f ms,"
          + " ratio %.3f%n", batch, f, s, f / s));
    }
    return b.toString();
  }

  String json() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ArrayNode setupNode = root.putArray("setup");
    setup.forEach(setupNode::add);
    ArrayNode rowsNode = root.putArray("rows");
    for (Row r : rows) {
      ObjectNode n = rowsNode.addObject().put("method", r.method()).put("batch", r.batch()).put("runs", r.runs())
          .put("slow", r.slow()).put("medianMs", r.medianMs());
      putFinite(n, "ratioToForward", r.ratio());
    }
    ObjectNode ig = root.putObject("integratedGradients").put("steps", igSteps).put("batchSize", igBatch);
    putFinite(ig, "onePointPerRunOverBatched", igRatio());
    ObjectNode faster = root.putObject("fasterScoreCam");
    if (fasterScoreCam != null) {
      faster.put("note", fasterScoreCam);
    }
    ArrayNode ratios = faster.putArray("ratios");
    for (int batch : fasterScoreCamBatches()) {
      ratios.addObject().put("batch", batch)
          .put("fasterOverScoreCam", median(FASTER_SCORE_CAM, batch) / median(SCORE_CAM, batch));
    }
    return root.toPrettyString();
  }

  // JSON has no NaN: a ratio that could not be computed is null.
  private static void putFinite(ObjectNode n, String field, double v) {
    if (Double.isFinite(v)) {
      n.put(field, v);
    } else {
      n.putNull(field);
    }
  }
}
