package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.Vgg16;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Structure only: timings depend on the machine and are never asserted. */
class ForwardBenchmarkTest {
  private static KerasModel model;

  @BeforeAll
  static void load() {
    // VGG16's smallest input: five 2x2 poolings take 32x32 down to 1x1x512.
    model = KerasModel.fromConfig(Vgg16.Options.defaults().withIncludeTop(false).withInputSize(32, 32)
        .withImagenetWeights(false).config(), LoadOptions.defaults().withRandomWeights(42));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void measuresEverySettingInEveryTimedIteration() {
    List<String> progress = new ArrayList<>();
    ForwardSetting elementwise = ForwardSetting.parse("elementwise");
    ForwardResult r = ForwardBenchmark.of(1, 2)
        .withProgress((batch, warmup, done, total) -> progress.add(batch + (warmup ? " w" : " t") + done + "/" + total))
        .run(List.of(new InProcessEndpoint(ForwardSetting.defaults(), model),
            new InProcessEndpoint(elementwise, model)), 2);
    assertEquals(2, r.batch());
    assertEquals(1, r.warmup());
    assertEquals(2, r.iterations());
    assertEquals(List.of("default", "elementwise"), r.rows().stream().map(ForwardResult.Row::setting).toList());
    assertArrayEquals(new long[] {2, 32, 32, 3}, r.inputShape());
    assertArrayEquals(new long[] {2, 1, 1, 512}, r.outputShape());
    for (ForwardResult.Row row : r.rows()) {
      Timings t = row.wall();
      assertEquals(2, t.count());
      assertTrue(t.millis().stream().allMatch(ms -> ms > 0), t.toString());
      assertTrue(t.median() > 0 && t.min() <= t.median() && t.median() <= t.max(), t.toString());
      if (row.cpu() != null) {
        // CPU time may round to 0 for so small a model (ticks of 10 ms), so only its presence is checked.
        assertEquals(2, row.cpu().count());
        assertTrue(row.cpu().min() >= 0);
      }
    }
    assertTrue(Double.isFinite(r.changePercent(1)) && Double.isFinite(r.versusBaseline(1).medianChangePercent()));
    assertTrue(r.imagesPerSecond(0) > 0 && r.imagesPerSecond(1) > 0);
    assertEquals(ForwardBenchmark.processCpuClock() != null, r.rows().get(0).cpu() != null);
    assertEquals(List.of("2 w1/1", "2 t1/2", "2 t2/2"), progress);
  }

  @Test
  void bothCopyPathsComputeTheSameOutput() {
    var x = ForwardBenchmark.syntheticInput(new long[] {1, 32, 32, 3}, 3);
    var g = model.graph();
    assertArrayEquals(model.predict(x).data(), g.newRun().feedInput(x).fetch(g.output()).elementwiseCopies().run().get(0).data());
  }

  @Test
  void rejectsBadCounts() {
    List<InProcessEndpoint> one = List.of(new InProcessEndpoint(ForwardSetting.defaults(), model));
    assertThrows(IllegalArgumentException.class, () -> ForwardBenchmark.of(-1, 2));
    assertThrows(IllegalArgumentException.class, () -> ForwardBenchmark.of(0, 0));
    assertThrows(IllegalArgumentException.class, () -> ForwardBenchmark.of(0, 1).run(one, 0));
    assertThrows(IllegalArgumentException.class, () -> ForwardBenchmark.of(0, 1).run(List.of(), 1));
  }

  @Test
  void syntheticInputIsDeterministicAndInRange() {
    var a = ForwardBenchmark.syntheticInput(new long[] {1, 4, 4, 3}, 7);
    var b = ForwardBenchmark.syntheticInput(new long[] {1, 4, 4, 3}, 7);
    assertArrayEquals(a.data(), b.data());
    for (float v : a.data()) {
      assertTrue(v >= -128 && v < 128, "value " + v);
    }
  }
}
