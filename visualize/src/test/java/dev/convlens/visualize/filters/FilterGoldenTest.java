package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.io.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The golden filter-visualization trajectories (golden/README.md §7) for VGG16 with synthetic
 * weights at 64x64, block3_conv1 filters 0 and 7, with the tolerances of §8: the trajectory is
 * chaotic after a few updates, so later steps are compared statistically.
 */
class FilterGoldenTest {
  private static Path golden;
  private static KerasModel model;
  private static FloatTensor start;

  @BeforeAll
  static void load() {
    golden = SharedData.require("golden/vgg16_synthetic_notop.h5").getParent();
    model = KerasModel.fromConfig(Vgg16.Options.defaults().withIncludeTop(false).withInputSize(64, 64).config(),
        LoadOptions.defaults().withWeights(golden.resolve("vgg16_synthetic_notop.h5")));
    start = Npy.read(golden.resolve("vgg16syn_filtervis_start_input.npy"));
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 7})
  void trajectoryMatchesGolden(int filter) throws IOException {
    String prefix = "vgg16syn_filtervis_block3_conv1_f" + filter;
    JsonNode json = new ObjectMapper().readTree(golden.resolve(prefix + ".json").toFile());
    FilterVisualizer vis = FilterVisualizer.of(model, "block3_conv1");
    FilterOptions options = FilterOptions.defaults().withStartImage(start);

    // Checkpoints after updates 1, 2, 3: runs of 1, 2 and 3 steps from the same start.
    FloatTensor checkpoints = Npy.read(golden.resolve(prefix + "_checkpoints.npy"));
    for (int k = 1; k <= 3; k++) {
      FilterResult r = vis.run(filter, options.withSteps(k));
      float[] expected = checkpoints.slice(k - 1).data();
      float[] actual = r.input().data();
      double maxDiff = 0;
      for (int i = 0; i < expected.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
      }
      assertTrue(maxDiff <= 1e-3, "input after update " + k + ": max |diff| " + maxDiff + " > 1e-3");
    }

    FilterResult r = vis.run(filter, options);
    assertEquals(40, r.losses().size());
    JsonNode losses = json.get("loss_at_steps");
    assertRel(losses.get("0").asDouble(), r.losses().get(0), 1e-4, "loss at step 0");
    assertRel(losses.get("1").asDouble(), r.losses().get(1), 1e-4, "loss at step 1");
    assertRel(losses.get("5").asDouble(), r.losses().get(5), 1e-3, "loss at step 5");
    assertRel(losses.get("20").asDouble(), r.losses().get(20), 2e-2, "loss at step 20");
    assertRel(losses.get("39").asDouble(), r.losses().get(39), 2e-2, "loss at step 39");
    assertRel(json.get("loss_after_final_update").asDouble(), r.finalLoss(), 2e-2, "loss after update 40");

    float[] expected = Npy.read(golden.resolve(prefix + "_final_input.npy")).data();
    float[] actual = r.input().data();
    assertTrue(corrcoef(expected, actual) >= 0.95, "final input corrcoef " + corrcoef(expected, actual));
    JsonNode stats = json.get("final_input_stats");
    assertRel(stats.get("mean").asDouble(), mean(actual), 1e-3, "final input mean");
    assertRel(stats.get("std").asDouble(), std(actual), 2e-2, "final input std");

    BufferedImage png = ImageIO.read(golden.resolve(prefix + ".png").toFile());
    BufferedImage mine = r.image();
    double diff = 0;
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int a = png.getRGB(x, y);
        int b = mine.getRGB(x, y);
        for (int shift = 0; shift <= 16; shift += 8) {
          diff += Math.abs(((a >> shift) & 255) - ((b >> shift) & 255));
        }
      }
    }
    double meanAbs = diff / (64 * 64 * 3);
    assertTrue(meanAbs <= 8, "PNG mean abs diff " + meanAbs + " > 8 grey levels");
    System.out.printf("filter %d: losses %.6f %.6f %.6f %.6f %.6f (golden %s %s %s %s %s); png mean abs diff %.3f%n",
        filter, r.losses().get(0), r.losses().get(1), r.losses().get(5), r.losses().get(20), r.losses().get(39),
        losses.get("0"), losses.get("1"), losses.get("5"), losses.get("20"), losses.get("39"), meanAbs);
  }

  private static void assertRel(double expected, double actual, double rtol, String what) {
    assertTrue(Math.abs(actual - expected) <= rtol * Math.abs(expected),
        what + ": " + actual + " vs golden " + expected + " (rtol " + rtol + ")");
  }

  private static double mean(float[] x) {
    double s = 0;
    for (float v : x) {
      s += v;
    }
    return s / x.length;
  }

  private static double std(float[] x) {
    double m = mean(x);
    double s = 0;
    for (float v : x) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / x.length);
  }

  private static double corrcoef(float[] a, float[] b) {
    double ma = mean(a);
    double mb = mean(b);
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += (a[i] - ma) * (b[i] - mb);
      aa += (a[i] - ma) * (a[i] - ma);
      bb += (b[i] - mb) * (b[i] - mb);
    }
    return ab / Math.sqrt(aa * bb);
  }
}
