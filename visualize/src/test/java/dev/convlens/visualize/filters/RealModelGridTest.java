package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.visualize.render.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Grids of the first convolution of real trained models, written to {@code target/filter-grids}
 * to look at. Two findings shape the options: (1) this convnet rescales its input by 1/255, so on
 * 180x180 images the raw gradient RMS is far below the book's 1e-5 and the book's normalizer
 * shrinks every step to almost nothing: epsilon 1e-12 is used; (2) on flat gray noise many
 * first-layer ReLU filters are zero everywhere and cannot move (they stay noise).
 */
class RealModelGridTest {
  private static final Path OUT = Path.of("target", "filter-grids");

  @Test
  void catsVsDogsConvnetFirstLayer() {
    Path file = SharedData.require("models/keras-v3/convnet_from_scratch_with_augmentation.keras");
    try (KerasModel model = KerasModel.load(file)) { // contains Rescaling(1/255): fed raw pixels like the book
      FilterVisualizer v = FilterVisualizer.of(model, "conv2d_8");
      List<Integer> first16 = IntStream.range(0, 16).boxed().toList();
      check(v, first16, FilterOptions.defaults().withEpsilon(1e-12), "convnet_conv2d_8.png", 4);
    }
  }

  @Test
  void mobileNetFirstLayer() {
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    try (KerasModel model = KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).config(),
        LoadOptions.defaults().withWeights(weights))) {
      FilterVisualizer v = FilterVisualizer.of(model, "conv1"); // linear; conv1_relu is a saturating ReLU6
      List<Integer> all = IntStream.range(0, v.filterCount()).boxed().toList();
      // MobileNet takes x / 127.5 - 1: the book's gray noise and step, mapped to that scale.
      float[] start = new float[128 * 128 * 3];
      SplittableRandom random = new SplittableRandom(0);
      for (int i = 0; i < start.length; i++) {
        start[i] = (float) ((random.nextDouble() * 20 + 128) / 127.5 - 1);
      }
      FilterOptions options = FilterOptions.defaults().withStartImage(FloatTensor.of(start, 128, 128, 3))
          .withStepSize(1 / 127.5);
      check(v, all, options, "mobilenet_conv1.png", 6);
    }
  }

  /** Every filter that responds at all must rise; at least {@code minMoving} must respond. */
  private static void check(FilterVisualizer v, List<Integer> filters, FilterOptions options, String name, int minMoving) {
    List<FilterResult> results = v.run(filters, options);
    int moving = 0;
    for (FilterResult r : results) {
      for (float x : r.input().data()) {
        assertTrue(Float.isFinite(x), name + ": filter " + r.filter() + " has non-finite pixels");
      }
      // zero gradient: a ReLU filter dead on the start image, or (MobileNet-0.25 conv1) all-zero weights
      boolean stuck = r.losses().stream().distinct().count() == 1 && r.finalLoss() == r.losses().get(0);
      if (!stuck) {
        moving++;
        assertTrue(r.finalLoss() > r.losses().get(0),
            name + ": filter " + r.filter() + " loss " + r.losses().get(0) + " -> " + r.finalLoss());
      }
    }
    assertTrue(moving >= minMoving, name + ": only " + moving + " filters respond to the start image");
    BufferedImage grid = FilterGrid.of(results, FilterGrid.BOOK_MARGIN);
    int n = (int) Math.ceil(Math.sqrt(filters.size()));
    long[] in = results.get(0).input().shape();
    assertEquals(n * in[1] + (n - 1) * FilterGrid.BOOK_MARGIN, grid.getWidth());
    Images.write(grid, OUT.resolve(name));
    assertTrue(Files.isRegularFile(OUT.resolve(name)));
  }
}
