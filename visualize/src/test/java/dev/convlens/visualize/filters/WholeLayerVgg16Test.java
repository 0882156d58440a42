package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.Vgg16;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whole-layer mode against one filter at a time on VGG16 block3_conv1 (Keras-default random
 * weights, 64x64, the full 40 steps): the benchmark's setting, so its speed-up is for the same
 * pictures. A ReLU net amplifies round-off into different trajectories after a few steps (golden
 * README §7), so agreement after 40 steps shows that each image's computation does not depend on
 * the others in the batch.
 */
class WholeLayerVgg16Test {
  private static KerasModel model;

  @BeforeAll
  static void build() {
    model = KerasModel.fromConfig(
        Vgg16.Options.defaults().withIncludeTop(false).withInputSize(64, 64).withImagenetWeights(false).config(),
        LoadOptions.defaults().withRandomWeights(42));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void sameImagesAsOneByOne() {
    FilterVisualizer v = FilterVisualizer.of(model, "block3_conv1");
    assertEquals(256, v.filterCount());
    List<Integer> filters = List.of(0, 2, 3, 255); // filter 2 is dead (zero) at the start: it must stay a finite gray
    FilterOptions options = FilterOptions.defaults().withSeed(7);
    List<FilterResult> batched = v.run(filters, options);
    List<FilterResult> single = v.run(filters, options.oneByOne());
    FilterVisualizerTest.assertSameResults(batched, single, 1e-3);
    int rising = 0;
    for (FilterResult r : batched) {
      rising += r.finalLoss() > r.losses().get(0) ? 1 : 0;
    }
    assertTrue(rising >= 2, "the loss rose for only " + rising + " of " + filters.size() + " filters");
  }

  @Test
  void preActivationMovesAFilterThatIsDeadAtTheStart() {
    FilterVisualizer v = FilterVisualizer.of(model, "block3_conv1");
    FilterOptions options = FilterOptions.defaults().withSeed(7).withSteps(5);
    FilterResult dead = v.run(2, options);
    assertEquals(List.of(0.0, 0.0, 0.0, 0.0, 0.0), dead.losses(), "filter 2 was expected to be zero on the start image");
    assertEquals(0.0, dead.finalLoss());
    FilterResult pre = v.run(2, options.withPreActivation(true));
    assertTrue(pre.losses().get(0) < 0 && pre.finalLoss() > pre.losses().get(4) && pre.losses().get(4) > pre.losses().get(0),
        "pre-activation losses " + pre.losses() + " -> " + pre.finalLoss());
  }

  @Test
  void chunkingByMemoryBudgetGivesTheSameImages() {
    FilterVisualizer v = FilterVisualizer.of(model, "block3_conv1");
    List<Integer> filters = List.of(10, 11, 12);
    FilterOptions options = FilterOptions.defaults().withSteps(5);
    List<FilterProgress> events = new java.util.ArrayList<>();
    // about 7.8 MB per image (every output up to the layer, twice, float32) at 64x64 up to block3_conv1: a 20 MB budget makes batches of 2 and 1
    List<FilterResult> chunked = v.run(filters, options.withMemoryBudgetBytes(20L << 20), events::add);
    assertEquals(2, events.get(0).batchFilters());
    assertEquals(1, events.get(events.size() - 1).batchFilters());
    FilterVisualizerTest.assertSameResults(chunked, v.run(filters, options), 1e-3);
  }
}
