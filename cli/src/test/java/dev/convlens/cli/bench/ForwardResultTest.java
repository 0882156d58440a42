package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardResultTest {
  private static final long[] IN = {8, 4, 4, 3};
  private static final long[] OUT = {8, 1, 1, 2};

  private static ForwardResult.Row row(String setting, double... ms) {
    return new ForwardResult.Row(setting, timings(ms));
  }

  private static Timings timings(double... ms) {
    return new Timings(java.util.Arrays.stream(ms).boxed().toList());
  }

  @Test
  void changesAndThroughputFollowFromTheMedians() {
    // medians: other (110 + 240) / 2 = 175, baseline (100 + 200) / 2 = 150 -> 175 / 150 - 1 = 16.67 %;
    // per iteration: 110 / 100 - 1 = 10 %, 240 / 200 - 1 = 20 % -> paired median 15 %.
    ForwardResult r = new ForwardResult(8, IN, OUT, 1, List.of(row("default", 100, 200), row("intra1", 110, 240)));
    assertEquals(100.0 / 6, r.changePercent(1), 1e-9);
    assertEquals(15.0, r.versusBaseline(1).medianChangePercent(), 1e-9);
    assertEquals(0.0, r.changePercent(0), 1e-12);
    assertEquals(8000.0 / 175, r.imagesPerSecond(1), 1e-9);
    assertEquals(8000.0 / 150, r.imagesPerSecond(0), 1e-9);
    assertEquals(2, r.iterations());
    assertTrue(Double.isNaN(r.cpuChangePercent(1)), "no CPU times, no CPU change");
    assertTrue(Double.isNaN(r.busyCores(1)));
  }

  @Test
  void cpuFiguresFollowFromTheMeans() {
    // CPU means: other (100 + 120) / 2 = 110, baseline (90 + 110) / 2 = 100 -> 10 %;
    // busy cores of the baseline: 100 ms CPU per 50 ms wall -> 2.
    ForwardResult r = new ForwardResult(1, IN, OUT, 0, List.of(
        new ForwardResult.Row("default", timings(40, 60), timings(90, 110)),
        new ForwardResult.Row("intra1", timings(1, 1), timings(100, 120))));
    assertEquals(10.0, r.cpuChangePercent(1), 1e-9);
    assertEquals(2.0, r.busyCores(0), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> new ForwardResult(1, IN, OUT, 0, List.of(
        new ForwardResult.Row("default", timings(1), timings(1)), row("intra1", 1))));
    assertThrows(IllegalArgumentException.class, () -> new ForwardResult.Row("default", timings(1), timings(1, 2)));
  }

  @Test
  void shapesAreCopiedAndCountsMustMatch() {
    long[] in = IN.clone();
    ForwardResult r = new ForwardResult(8, in, OUT, 0, List.of(row("default", 1), row("no-opt", 1)));
    in[0] = 99;
    r.inputShape()[0] = 99;
    assertArrayEquals(IN, r.inputShape());
    assertThrows(IllegalArgumentException.class,
        () -> new ForwardResult(8, IN, OUT, 0, List.of(row("default", 1), row("no-opt", 1, 2))));
    assertThrows(IllegalArgumentException.class, () -> new ForwardResult(8, IN, OUT, 0, List.of()));
  }

  @Test
  void tableHasOneRowPerSettingAndOneColumnGroupPerBatch() {
    ForwardResult b1 = new ForwardResult(1, IN, OUT, 1, List.of(
        new ForwardResult.Row("default", timings(100, 200), timings(200, 400)),
        new ForwardResult.Row("intra1+inter1", timings(110, 240), timings(110, 240))));
    ForwardResult b8 = new ForwardResult(8, IN, OUT, 1, List.of(
        new ForwardResult.Row("default", timings(800, 900), timings(1600, 1800)),
        new ForwardResult.Row("intra1+inter1", timings(1600, 1800), timings(1600, 1800))));
    String[] lines = ResultTable.format(List.of(b1, b8)).split("\n");
    assertTrue(lines[0].startsWith("batch") && lines[0].contains("| 1 ") && lines[0].contains("| 8 "), lines[0]);
    assertTrue(lines[1].startsWith("setting") && lines[1].split("median ms", -1).length == 3, lines[1]);
    assertTrue(lines[2].startsWith("default ") && lines[2].contains("150.0") && lines[2].contains("850.0")
        && lines[2].contains("2.00"), lines[2]);
    assertTrue(lines[3].startsWith("intra1+inter1 ") && lines[3].contains("175.0") && lines[3].contains("+15.0%")
        && lines[3].contains("+100.0%") && lines[3].contains("1.00"), lines[3]);
    assertThrows(IllegalArgumentException.class, () -> ResultTable.format(List.of(b1,
        new ForwardResult(8, IN, OUT, 1, List.of(row("default", 1, 2), row("no-opt", 1, 2))))));
    String machine = ResultTable.machineLine(1.25);
    assertTrue(machine.matches("machine: \\d+ cores, Java .*TensorFlow .*, load average 1.25 at start, .* at end"), machine);
  }
}
