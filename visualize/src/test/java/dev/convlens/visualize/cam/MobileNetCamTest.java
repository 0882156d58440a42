package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.ImageNetLabels;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.visualize.render.Colormap;
import dev.convlens.visualize.render.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.IntervalUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real ImageNet MobileNet-0.25 (../shared/data): the book's elephant, and the pointing game on
 * 2x2 mosaics of cats and dogs. The overlay PNGs land in {@code target/cam} for looking at.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MobileNetCamTest {
  private static final int TILE = 128;
  private static final int GRADIENT_MOSAICS = 60;
  /**
   * Score-CAM needs one forward pass per channel (256 here) per mosaic, about 1.7 s per mosaic on
   * two cores: 12 mosaics by default to keep the suite fast; {@code -Dconvlens.cam.scoreCamMosaics=40}
   * (or more) runs the full game.
   */
  private static final int SCORE_CAM_MOSAICS = Integer.getInteger("convlens.cam.scoreCamMosaics", 12);

  private Path weights;
  private KerasModel model128;
  private KerasModel model256;

  @BeforeAll
  void load() {
    weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    model128 = KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(TILE).config(),
        LoadOptions.defaults().withWeights(weights));
  }

  @AfterAll
  void close() {
    if (model128 != null) {
      model128.close();
    }
    if (model256 != null) {
      model256.close();
    }
  }

  @Test
  void bookElephantHeatPointsAtAnElephant() throws IOException {
    Path photo = SharedData.require("images/book/creative_commons_elephant.jpg");
    ClassNames labels = ImageNetLabels.load(SharedData.require("imagenet_class_index.json"));
    FloatTensor x = Preprocessing.TF.apply(KerasImages.loadImg(photo, TILE, TILE));
    FloatTensor original = KerasImages.loadImg(photo);
    int h = (int) original.dim(0);
    int w = (int) original.dim(1);
    StringBuilder report = new StringBuilder();
    for (CamMethod method : CamMethod.values()) {
      Heatmap heat = CamExplainer.of(model128, CamOptions.defaults().withMethod(method)).explain(x).get(0);
      assertEquals("African_elephant", labels.label(heat.classIndex()), method + ": top-1");
      int at = argmax(heat.upsampled(h, w).data());
      double fx = (at % w + 0.5) / w;
      double fy = (at / w + 0.5) / h;
      boolean calf = fx >= 0.17 && fx <= 0.55 && fy >= 0.37 && fy <= 0.67;
      boolean adult = fx >= 0.46 && fy >= 0.13 && fy <= 0.63;
      report.append(String.format(Locale.ROOT, "%s: max at x %.0f%% y %.0f%% (%s)%n", method, 100 * fx, 100 * fy,
          calf ? "calf" : adult ? "adult" : "neither"));
      if (method == CamMethod.GRAD_CAM_BOOK) {
        assertTrue(calf || adult, method + ": heatmap maximum at x " + fx + ", y " + fy + " is on no elephant");
      }
      Path dir = Path.of("target", "cam");
      Files.createDirectories(dir);
      Images.write(Overlay.superimpose(original, heat, Colormap.JET, Overlay.BOOK_ALPHA),
          dir.resolve("elephant_" + method.cliName().replace("+", "p") + ".png"));
    }
    System.out.print(report);
  }

  /**
   * Pointing game: each tile's top-1 class is found on the tile alone; in the mosaic the maximum of
   * that class's map must fall in its tile. Only classes unique in their mosaic count.
   */
  @Test
  void pointingGameOnCatAndDogMosaics() throws IOException {
    Path validation = SharedData.require("cats_and_dogs_small/validation");
    model256 = KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(2 * TILE)
        .withImagenetWeights(false).config(), LoadOptions.defaults().withWeights(weights));
    List<Path> cats = list(validation.resolve("cats"));
    List<Path> dogs = list(validation.resolve("dogs"));
    // Mosaic m: cat, dog / dog, cat (alternating the diagonal), photos never reused.
    List<FloatTensor> tiles = new ArrayList<>();
    for (int m = 0; m < GRADIENT_MOSAICS; m++) {
      boolean flip = m % 2 == 1;
      Path[] order = flip ? new Path[] {dogs.get(2 * m), cats.get(2 * m), cats.get(2 * m + 1), dogs.get(2 * m + 1)}
          : new Path[] {cats.get(2 * m), dogs.get(2 * m), dogs.get(2 * m + 1), cats.get(2 * m + 1)};
      for (Path p : order) {
        tiles.add(KerasImages.loadImg(p, TILE, TILE));
      }
    }
    int[] tileClass = new int[tiles.size()];
    for (int start = 0; start < tiles.size(); start += 40) {
      List<FloatTensor> chunk = tiles.subList(start, Math.min(start + 40, tiles.size()));
      FloatTensor probs = model128.predict(Preprocessing.TF.apply(FloatTensor.stack(chunk)));
      for (int i = 0; i < chunk.size(); i++) {
        tileClass[start + i] = argmax(probs.slice(i).data());
      }
    }
    Map<CamMethod, int[]> score = new EnumMap<>(CamMethod.class);
    for (CamMethod method : CamMethod.values()) {
      if (method == CamMethod.EIGEN_CAM) {
        continue; // class-free: every class of a mosaic gets the same map, so it cannot point at each
      }
      long start = System.nanoTime();
      CamExplainer cam = CamExplainer.of(model256, CamOptions.defaults().withMethod(method));
      int mosaics = method == CamMethod.SCORE_CAM ? SCORE_CAM_MOSAICS : GRADIENT_MOSAICS;
      int hits = 0;
      int counted = 0;
      for (int m = 0; m < mosaics; m++) {
        FloatTensor mosaic = Preprocessing.TF.apply(mosaic(tiles.subList(4 * m, 4 * m + 4)));
        Map<Integer, Integer> seen = new HashMap<>();
        for (int t = 0; t < 4; t++) {
          seen.merge(tileClass[4 * m + t], 1, Integer::sum);
        }
        List<Integer> tileOf = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          if (seen.get(tileClass[4 * m + t]) == 1) {
            tileOf.add(t);
            classes.add(tileClass[4 * m + t]);
          }
        }
        if (classes.isEmpty()) {
          continue;
        }
        List<Heatmap> maps = cam.explainClasses(mosaic, classes.stream().mapToInt(Integer::intValue).toArray());
        for (int i = 0; i < maps.size(); i++) {
          int at = argmax(maps.get(i).upsampled(2 * TILE, 2 * TILE).data());
          int tile = (at / (2 * TILE) >= TILE ? 2 : 0) + (at % (2 * TILE) >= TILE ? 1 : 0);
          hits += !maps.get(i).degenerate() && tile == tileOf.get(i) ? 1 : 0;
          counted++;
        }
      }
      score.put(method, new int[] {hits, counted, mosaics, (int) ((System.nanoTime() - start) / 1_000_000)});
    }
    StringBuilder report = new StringBuilder("pointing game, MobileNet-0.25, 2x2 mosaics of 128x128 tiles:\n");
    score.forEach((method, s) -> {
      ConfidenceInterval ci = IntervalUtils.getWilsonScoreInterval(s[1], s[0], 0.95);
      report.append(String.format(Locale.ROOT, "  %-14s %d/%d = %.3f (95%% CI %.3f-%.3f) over %d mosaics (%d ms)%n",
          method.cliName(), s[0], s[1], (double) s[0] / s[1], ci.getLowerBound(), ci.getUpperBound(), s[2], s[3]));
    });
    System.out.print(report);
    for (var e : score.entrySet()) {
      double rate = (double) e.getValue()[0] / e.getValue()[1];
      assertTrue(e.getValue()[1] >= 3 * e.getValue()[2] / 2, e.getKey() + ": too few tiles counted\n" + report);
      // Chance is 1/4 (four tiles); every method must point far better than that, beyond sampling noise.
      assertTrue(rate >= 0.5, e.getKey() + " hit rate " + rate + "\n" + report);
      double lower = IntervalUtils.getWilsonScoreInterval(e.getValue()[1], e.getValue()[0], 0.95).getLowerBound();
      assertTrue(lower > 0.25, e.getKey() + ": the 95% interval reaches chance (0.25)\n" + report);
    }
    int[] gradCam = score.get(CamMethod.GRAD_CAM_BOOK);
    assertTrue(gradCam[0] >= 0.85 * gradCam[1], "Grad-CAM hit rate below 0.85\n" + report);
  }

  private static FloatTensor mosaic(List<FloatTensor> tiles) {
    int size = 2 * TILE;
    float[] out = new float[size * size * 3];
    for (int t = 0; t < 4; t++) {
      float[] d = tiles.get(t).data();
      int oy = (t / 2) * TILE;
      int ox = (t % 2) * TILE;
      for (int y = 0; y < TILE; y++) {
        System.arraycopy(d, y * TILE * 3, out, ((oy + y) * size + ox) * 3, TILE * 3);
      }
    }
    return FloatTensor.of(out, size, size, 3);
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
