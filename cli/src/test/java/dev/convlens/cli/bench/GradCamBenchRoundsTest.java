package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bench gradcam's round-robin schedule and its ratios, on tasks that only record that they ran. */
class GradCamBenchRoundsTest {
  private final List<String> calls = new ArrayList<>();

  private CostRounds.Task task(String name, boolean slow) {
    return new CostRounds.Task(name, 1, slow, () -> calls.add(name));
  }

  @Test
  void everyRoundStartsOneTaskLaterAndSlowTasksSkipWarmUpAndLaterRounds() {
    List<CostRounds.Measured> m = new CostRounds(1, 3, 1)
        .run(List.of(task("a", false), task("b", false), task("s", true)), CostRounds.Progress.NONE);
    // warm-up: a b; timed round 1 (with s): b s a; round 2: a b; round 3: b a
    assertEquals(List.of("a", "b", "b", "s", "a", "a", "b", "b", "a"), calls);
    assertEquals(List.of(3, 3, 1), m.stream().map(x -> x.timings().count()).toList());
  }

  @Test
  void noSlowRoundsLeavesSlowTasksOut() {
    List<CostRounds.Measured> m = new CostRounds(0, 2, 0)
        .run(List.of(task("a", false), task("s", true)), CostRounds.Progress.NONE);
    assertEquals(List.of("a", "a"), calls);
    assertEquals(List.of("a"), m.stream().map(x -> x.task().name()).toList());
    assertThrows(IllegalArgumentException.class, () -> new CostRounds(0, 2, 3));
  }

  private static CostRounds.Measured timed(String name, int batch, double... ms) {
    List<Double> v = new ArrayList<>();
    for (double d : ms) {
      v.add(d);
    }
    return new CostRounds.Measured(new CostRounds.Task(name, batch, false, () -> { }), new Timings(v));
  }

  @Test
  void ratiosAreMediansOverTheForwardMedianAtTheSameBatch() throws Exception {
    CamCostReport r = CamCostReport.of(List.of("setup"), List.of(
        timed("forward", 1, 10, 30, 20), timed("forward", 8, 100, 80),
        timed("gradcam", 1, 30, 25, 40), timed("gradcam", 8, 150, 130),
        timed("scorecam", 1, 4000), timed("fasterscorecam", 1, 100),
        timed(CamCostReport.igBatchedName(16), 1, 500), timed(CamCostReport.igStepName(), 1, 1500),
        timed("nobase", 2, 7)), 50, 16, null);
    assertEquals(1.5, r.rows().get(2).ratio(), 1e-12); // median 30 / median 20
    assertEquals(140.0 / 90.0, r.rows().get(3).ratio(), 1e-12);
    assertEquals(3.0, r.igRatio(), 1e-12);
    assertEquals(List.of(1), r.fasterScoreCamBatches());
    assertTrue(Double.isNaN(r.rows().get(8).ratio()));
    assertTrue(r.text().contains("batch 1: 100.0 ms vs 4000.0 ms, ratio 0.025"), r.text());
    JsonNode j = new ObjectMapper().readTree(r.json());
    assertTrue(j.get("rows").get(8).get("ratioToForward").isNull());
    assertEquals(0.025, j.get("fasterScoreCam").get("ratios").get(0).get("fasterOverScoreCam").asDouble(), 1e-12);
    assertEquals(3.0, j.get("integratedGradients").get("onePointPerRunOverBatched").asDouble(), 1e-12);
  }
}
