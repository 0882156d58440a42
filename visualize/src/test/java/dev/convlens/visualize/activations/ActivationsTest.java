package dev.convlens.visualize.activations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureModels;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Layer selection, nested models and batches on small fixture models. */
class ActivationsTest {
  private static KerasModel load(KerasModelFixture f) {
    return KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults());
  }

  private static FloatTensor random(long seed, long... shape) {
    Random r = new Random(seed);
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] d = new float[n];
    for (int i = 0; i < n; i++) {
      d[i] = r.nextFloat() * 255;
    }
    return FloatTensor.of(d, shape);
  }

  @Test
  void defaultSelectionIsEveryConvAndPoolLayerIncludingNestedOnes() {
    try (KerasModel m = load(FixtureModels.allLayerTypes(ConfigDialect.KERAS_2))) {
      assertEquals(List.of("conv", "dw", "sep", "block/block_conv", "max_pool", "avg_pool"),
          Activations.convAndPoolLayers(m));
    }
  }

  @Test
  void nestedModelAndBatchInOneRun() {
    try (KerasModel m = load(FixtureModels.allLayerTypes(ConfigDialect.KERAS_2))) {
      FloatTensor batch = random(5, 3, 16, 16, 3);
      LayerActivations all = Activations.fetch(m, batch);
      assertEquals(3, all.batchSize());
      LayerOutput inner = all.get("block_conv");
      assertEquals("block/block_conv", inner.layer());
      assertEquals("Conv2D", inner.className());
      assertEquals(8, inner.height());
      assertEquals(8, inner.channels());
      // image 2 of the batch equals the same image fetched alone
      LayerActivations single = Activations.fetch(m, batch.slice(2), List.of("block/block_conv", "max_pool"));
      assertEquals(1, single.batchSize());
      for (String layer : List.of("block/block_conv", "max_pool")) {
        float[] alone = single.get(layer).value().data();
        float[] inBatch = all.get(layer).image(2).value().data();
        double scale = 0;
        for (float v : alone) {
          scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < alone.length; i++) {
          assertEquals(alone[i], inBatch[i], 1e-5 * Math.max(1, scale), layer + " value " + i);
        }
      }
      assertEquals(all.stats(2).get(3).max(), single.stats().get(0).max(), 1e-4);
      assertEquals(6, all.stats().size());
      assertEquals(8, ActivationGrids.render(all.get("max_pool"), 2, GridOptions.defaults()).get(0).columns());
    }
  }

  @Test
  void firstLayersSkipTheInputAndCountANestedModelAsOne() {
    try (KerasModel c = load(FixtureModels.smallSequential(ConfigDialect.KERAS_2_0))) {
      assertEquals(List.of("conv2d_4", "max_pooling2d_4", "conv2d_5", "max_pooling2d_5", "conv2d_6",
          "max_pooling2d_6", "flatten_2", "dropout_1"), Activations.firstLayers(c, 8));
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> Activations.firstLayers(c, 11));
      assertTrue(e.getMessage().contains("1..10"), e.getMessage());
    }
    try (KerasModel b = load(FixtureModels.convnetWithAugmentation(ConfigDialect.KERAS_3))) {
      assertEquals(List.of("sequential", "rescaling_1", "conv2d_8"), Activations.firstLayers(b, 3));
    }
  }

  @Test
  void badLayerNamesFailBeforeTheRun() {
    try (KerasModel m = HandModel.load()) {
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> Activations.fetch(m, HandModel.BATCH, List.of("c", "nope")));
      assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("c"), e.getMessage());
      assertThrows(InvalidInputException.class, () -> Activations.fetch(m, HandModel.BATCH, List.of()));
      assertThrows(InvalidInputException.class, () -> Activations.fetch(m, FloatTensor.of(new float[6], 1, 3, 2, 1)));
      InvalidInputException missing = assertThrows(InvalidInputException.class,
          () -> Activations.fetch(m, HandModel.BATCH, List.of("c")).get("p"));
      assertTrue(missing.getMessage().contains("fetched: c"), missing.getMessage());
    }
  }
}
