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

  @Test
  void overheadAndThroughputFollowFromTheMedians() {
    // medians: api (110 + 240) / 2 = 175, bare (100 + 200) / 2 = 150 -> 175 / 150 - 1 = 16.67 %;
    // per iteration: 110 / 100 - 1 = 10 %, 240 / 200 - 1 = 20 % -> paired median 15 %.
    ForwardResult r = new ForwardResult(8, IN, OUT, 1, new Timings(List.of(110.0, 240.0)),
        new Timings(List.of(100.0, 200.0)));
    assertEquals(100.0 / 6, r.overheadPercent(), 1e-9);
    assertEquals(15.0, r.pairedOverheadPercent(), 1e-9);
    assertEquals(8000.0 / 175, r.apiImagesPerSecond(), 1e-9);
    assertEquals(8000.0 / 150, r.bareImagesPerSecond(), 1e-9);
    assertEquals(2, r.iterations());
    assertTrue(Double.isNaN(r.cpuOverheadPercent()), "no CPU times, no CPU overhead");
  }

  @Test
  void cpuOverheadFollowsFromTheMeans() {
    // means: api (100 + 120) / 2 = 110, bare (90 + 110) / 2 = 100 -> 10 %
    ForwardResult r = new ForwardResult(1, IN, OUT, 0, new Timings(List.of(1.0, 1.0)), new Timings(List.of(1.0, 1.0)),
        new Timings(List.of(100.0, 120.0)), new Timings(List.of(90.0, 110.0)));
    assertEquals(10.0, r.cpuOverheadPercent(), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> new ForwardResult(1, IN, OUT, 0, new Timings(List.of(1.0)),
        new Timings(List.of(1.0)), new Timings(List.of(1.0)), null));
  }

  @Test
  void shapesAreCopiedAndCountsMustMatch() {
    long[] in = IN.clone();
    ForwardResult r = new ForwardResult(8, in, OUT, 0, new Timings(List.of(1.0)), new Timings(List.of(1.0)));
    in[0] = 99;
    r.inputShape()[0] = 99;
    assertArrayEquals(IN, r.inputShape());
    assertThrows(IllegalArgumentException.class,
        () -> new ForwardResult(8, IN, OUT, 0, new Timings(List.of(1.0)), new Timings(List.of(1.0, 2.0))));
  }

  @Test
  void tableHasAHeaderAndOneRowPerBatch() {
    ForwardResult r = new ForwardResult(8, IN, OUT, 1, new Timings(List.of(110.0, 240.0)),
        new Timings(List.of(100.0, 200.0)), new Timings(List.of(100.0, 120.0)), new Timings(List.of(90.0, 110.0)));
    String[] lines = ResultTable.format(List.of(r)).split("\n");
    assertTrue(lines[0].trim().startsWith("batch"), lines[0]);
    assertTrue(lines[1].trim().startsWith("8 "), lines[1]);
    assertTrue(lines[1].contains("+16.67%") && lines[1].contains("+15.00%")
        && lines[1].contains("+10.00%"), lines[1]);
    assertTrue(lines[1].contains("110.0-240.0"), lines[1]);
    String machine = ResultTable.machineLine(1.25);
    assertTrue(machine.matches("machine: \\d+ cores, Java .*TensorFlow .*, load average 1.25 at start, .* at end"), machine);
  }
}
