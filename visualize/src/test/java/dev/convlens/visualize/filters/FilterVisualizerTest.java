package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Filter visualization on a small fixture convnet (16x16x3, no shared data needed). */
class FilterVisualizerTest {
  private static KerasModel model;

  @BeforeAll
  static void build() {
    KerasModelFixture f = FixtureBuilder.functional("tiny").seed(5) // every conv_b filter is alive at the gray start
        .input("image", 16, 16, 3)
        .rescaling("rescale", 1 / 127.5, -1.0) // as MobileNet's inputs: the gray start sits near 0
        .conv2d("conv_a", 8, 3, "same", "relu")
        .maxPool("pool", 2)
        .conv2d("conv_b", 6, 3, "same", "relu")
        .flatten("flat")
        .dense("dense", 2, "softmax")
        .build();
    model = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static List<Integer> all(FilterVisualizer v) {
    return IntStream.range(0, v.filterCount()).boxed().toList();
  }

  @Test
  void lossRisesForEveryFilterOfTheLayer() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_b");
    assertEquals(6, v.filterCount());
    List<FilterResult> results = v.run(all(v), FilterOptions.defaults().withSteps(20));
    assertEquals(6, results.size());
    for (FilterResult r : results) {
      List<Double> l = r.losses();
      assertEquals(20, l.size());
      // A ReLU filter that is zero everywhere at the start has zero gradient and cannot move.
      assertTrue(l.get(0) > 0, "fixture filter " + r.filter() + " is dead at the start image");
      assertTrue(l.get(l.size() - 1) > l.get(0) && r.finalLoss() > l.get(l.size() - 1),
          "filter " + r.filter() + ": loss did not rise: " + l + " -> " + r.finalLoss());
      int rises = 0;
      for (int i = 1; i < l.size(); i++) {
        rises += l.get(i) > l.get(i - 1) ? 1 : 0;
      }
      assertTrue(rises >= l.size() * 3 / 4, "filter " + r.filter() + ": loss rose in only " + rises + " steps: " + l);
    }
  }

  @Test
  void wholeLayerEqualsOneByOne() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_b");
    FilterOptions options = FilterOptions.defaults().withSteps(40).withSeed(5);
    List<FilterResult> batched = v.run(all(v), options);
    List<FilterResult> single = v.run(all(v), options.oneByOne());
    assertSameResults(batched, single, 1e-3);
  }

  @Test
  void wholeLayerEqualsOneByOneWithRegularizers() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_b");
    FilterOptions options = FilterOptions.defaults().withSteps(6).withSeed(9).readable();
    List<FilterResult> batched = v.run(List.of(5, 0, 3), options.withBatchSize(2));
    List<FilterResult> single = v.run(List.of(5, 0, 3), options.oneByOne());
    assertSameResults(batched, single, 1e-3);
    assertEquals(List.of(5, 0, 3), batched.stream().map(FilterResult::filter).toList());
  }

  static void assertSameResults(List<FilterResult> a, List<FilterResult> b, double atol) {
    assertEquals(a.size(), b.size());
    for (int k = 0; k < a.size(); k++) {
      assertEquals(a.get(k).filter(), b.get(k).filter());
      float[] x = a.get(k).input().data();
      float[] y = b.get(k).input().data();
      double max = 0;
      for (int i = 0; i < x.length; i++) {
        max = Math.max(max, Math.abs(x[i] - y[i]));
      }
      assertTrue(max <= atol, "filter " + a.get(k).filter() + ": batched and one-by-one inputs differ by " + max);
      for (int s = 0; s < a.get(k).losses().size(); s++) {
        double la = a.get(k).losses().get(s);
        double lb = b.get(k).losses().get(s);
        assertTrue(Math.abs(la - lb) <= 1e-4 * Math.max(1, Math.abs(la)), "loss at step " + s + ": " + la + " vs " + lb);
      }
      assertArrayEquals(a.get(k).pixels().data(), b.get(k).pixels().data(), 1f, "deprocessed pictures differ");
    }
  }

  @Test
  void reproducibleForASeedAndDifferentForAnother() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_a");
    FilterOptions o = FilterOptions.defaults().withSteps(3);
    assertEquals(v.run(2, o.withSeed(1)).input(), v.run(2, o.withSeed(1)).input());
    assertNotEquals(v.run(2, o.withSeed(1)).input(), v.run(2, o.withSeed(2)).input());
  }

  @Test
  void startNoiseIsGrayAround128() {
    FilterResult r = FilterVisualizer.of(model, "conv_a").run(0, FilterOptions.defaults().withSteps(1).withStepSize(1e-9));
    for (float x : r.input().data()) {
      assertTrue(x >= 128 && x <= 148, "start value " + x + " outside random*20+128");
    }
  }

  @Test
  void layerWithoutSpatialOutputFailsNamingTheLayer() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> FilterVisualizer.of(model, "flat"));
    assertTrue(e.getMessage().contains("'flat'") && e.getMessage().contains("4-D") && e.getMessage().contains("conv_b"),
        e.getMessage());
    assertThrows(InvalidInputException.class, () -> FilterVisualizer.of(model, "no_such_layer"));
  }

  @Test
  void filterOutOfRangeFailsBeforeAnyRun() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_b");
    List<FilterProgress> events = new ArrayList<>();
    for (List<Integer> bad : List.of(List.of(0, 6), List.of(-1), List.of(3, 100))) {
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> v.run(bad, FilterOptions.defaults(), events::add));
      assertTrue(e.getMessage().contains("'conv_b'") && e.getMessage().contains("0-5"), e.getMessage());
    }
    assertTrue(events.isEmpty(), "work started before the check: " + events);
    assertThrows(InvalidInputException.class, () -> v.run(List.of(), FilterOptions.defaults()));
    assertThrows(InvalidInputException.class, () -> v.run(0, FilterOptions.defaults().withSize(32)));
    assertThrows(InvalidInputException.class,
        () -> v.run(0, FilterOptions.defaults().withStartImage(FloatTensor.of(new float[8 * 8 * 3], 8, 8, 3))));
  }

  @Test
  void optionsRejectNonsense() {
    FilterOptions d = FilterOptions.defaults();
    assertThrows(InvalidInputException.class, () -> d.withSteps(0));
    assertThrows(InvalidInputException.class, () -> d.withStepSize(Double.NaN));
    assertThrows(InvalidInputException.class, () -> d.withOctaves(2, 1.0));
    assertThrows(InvalidInputException.class, () -> d.withJitter(-1));
    assertThrows(InvalidInputException.class, () -> d.withStartImage(FloatTensor.of(new float[4], 4)));
  }

  @Test
  void gradientOpsAreBuiltOncePerModelAndLayer() {
    FilterVisualizer first = FilterVisualizer.of(model, "conv_a");
    int ops = model.graph().operationCount();
    FilterVisualizer second = FilterVisualizer.of(model, "conv_a");
    second.run(1, FilterOptions.defaults().withSteps(2));
    assertEquals(ops, model.graph().operationCount(), "a second visualizer of the same layer added graph ops");
    assertSame(LayerGradient.of(model, first.layer(), false), LayerGradient.of(model, "conv_a", false));
  }

  @Test
  void prepareBuildsThePreActivationOpsSoThatRunsAddNone() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_b");
    FilterOptions pre = FilterOptions.defaults().withSteps(2).withPreActivation(true);
    assertSame(v, v.prepare(pre));
    int ops = model.graph().operationCount();
    v.run(List.of(0, 1), pre);
    v.run(0, FilterOptions.defaults().withSteps(2));
    assertEquals(ops, model.graph().operationCount(), "a run after prepare added graph ops");
    assertThrows(InvalidInputException.class, () -> v.prepare(null));
  }

  @Test
  void progressCountsFiltersAndSteps() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_b");
    List<FilterProgress> events = new ArrayList<>();
    v.run(List.of(0, 1, 2, 3, 4), FilterOptions.defaults().withSteps(3).withBatchSize(2), events::add);
    assertEquals(9, events.size()); // batches of 2, 2, 1, three steps each
    assertEquals(new FilterProgress(0, 5, 2, 1, 3, events.get(0).loss()), events.get(0));
    FilterProgress last = events.get(events.size() - 1);
    assertEquals(4, last.filtersDone());
    assertEquals(1, last.batchFilters());
    assertEquals(1.0, last.fraction(), 1e-12);
    for (int i = 1; i < events.size(); i++) {
      assertTrue(events.get(i).fraction() > events.get(i - 1).fraction());
    }
  }

  @Test
  void eachRegularizerChangesThePictureAndKeepsItFinite() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_b");
    FilterOptions base = FilterOptions.defaults().withSteps(8).withSeed(3);
    FloatTensor plain = v.run(4, base).input();
    List<FilterOptions> variants = List.of(base.withJitter(2), base.withTotalVariation(0.05), base.withL2(0.05),
        base.withBlurSigma(1.0), base.withOctaves(2, 1.5), base.readable());
    for (FilterOptions o : variants) {
      FilterResult r = v.run(4, o);
      assertEquals(o.totalSteps(), r.losses().size());
      assertNotEquals(plain, r.input(), o.toString());
      for (float x : r.input().data()) {
        assertFalse(Float.isNaN(x) || Float.isInfinite(x), o.toString());
      }
      assertTrue(r.finalLoss() > r.losses().get(0), o + ": loss " + r.losses().get(0) + " -> " + r.finalLoss());
    }
  }

  @Test
  void l2PenaltyShrinksTheSpread() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_b");
    FilterOptions base = FilterOptions.defaults().withSteps(30);
    assertTrue(spread(v.run(1, base.withL2(0.2)).input()) < spread(v.run(1, base).input()));
    assertTrue(roughness(v.run(1, base.withTotalVariation(0.1)).input()) < roughness(v.run(1, base).input()));
  }

  private static double spread(FloatTensor x) {
    double m = 0;
    for (float v : x.data()) {
      m += v;
    }
    m /= x.size();
    double s = 0;
    for (float v : x.data()) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / x.size());
  }

  /** Mean squared difference of horizontal neighbours. */
  private static double roughness(FloatTensor x) {
    int w = (int) x.dim(1);
    int c = (int) x.dim(2);
    float[] d = x.data();
    double s = 0;
    int n = 0;
    for (int i = 0; i + c < d.length; i++) {
      if ((i / c) % w != w - 1) {
        s += (d[i] - d[i + c]) * (d[i] - d[i + c]);
        n++;
      }
    }
    return s / n;
  }
}
