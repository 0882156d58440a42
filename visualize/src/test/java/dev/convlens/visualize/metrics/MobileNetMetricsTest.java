package dev.convlens.visualize.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.visualize.cam.AttributionOptions;
import dev.convlens.visualize.cam.CamExplainer;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.cam.Heatmap;
import dev.convlens.visualize.cam.InputAttribution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The metrics on the real ImageNet MobileNet-0.25 at 128 x 128 (../shared/data; skipped without
 * it): on cats-and-dogs photos, Grad-CAM must beat its own inverse (1 - map, the same values in
 * the opposite order) on every faithfulness metric, the randomization check must separate Grad-CAM
 * from a map that ignores the model, and Grad-CAM must point at the right tile of 2x2 mosaics. It
 * prints every number with its interval.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MobileNetMetricsTest {
  private static final int SIZE = 128;
  private static final int IMAGES = Integer.getInteger("convlens.metrics.images", 8);

  private KerasModel model;
  private List<FloatTensor> images;

  @BeforeAll
  void load() throws IOException {
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    Path validation = SharedData.require("cats_and_dogs_small/validation");
    model = KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(SIZE).config(),
        LoadOptions.defaults().withWeights(weights));
    images = new ArrayList<>();
    List<Path> cats = list(validation.resolve("cats"));
    List<Path> dogs = list(validation.resolve("dogs"));
    for (int i = 0; i < IMAGES; i++) {
      Path p = i % 2 == 0 ? cats.get(i / 2) : dogs.get(i / 2);
      images.add(Preprocessing.TF.apply(KerasImages.loadImg(p, SIZE, SIZE)));
    }
  }

  @AfterAll
  void close() {
    if (model != null) {
      model.close();
    }
  }

  @Test
  void gradCamBeatsItsInverseOnEveryFaithfulnessMetric() {
    CamExplainer cam = CamExplainer.of(model, CamOptions.defaults());
    InputAttribution attribution = InputAttribution.of(model);
    Map<String, List<double[]>> rows = new LinkedHashMap<>();
    long[] nanos = new long[5];
    for (FloatTensor x : images) {
      Heatmap heat = cam.explain(x).get(0);
      int k = heat.classIndex();
      float[] inverse = heat.normalized().data().clone();
      for (int i = 0; i < inverse.length; i++) {
        inverse[i] = 1 - inverse[i];
      }
      FloatTensor saliency = attribution.saliency(x, AttributionOptions.defaults().withClassIndex(k)).scaled();
      Map<String, FloatTensor> maps = Map.of("gradcam", heat.normalized(),
          "gradcam inverted", FloatTensor.of(inverse, heat.normalized().shape()), "saliency", saliency);
      for (String name : List.of("gradcam", "gradcam inverted", "saliency")) {
        FloatTensor map = maps.get(name);
        long t0 = System.nanoTime();
        double del = DeletionInsertion.deletion(model, x, k, map, CurveOptions.defaults()).auc();
        long t1 = System.nanoTime();
        double ins = DeletionInsertion.insertion(model, x, k, map, CurveOptions.defaults()
            .withSubstrate(Substrate.blur())).auc();
        long t2 = System.nanoTime();
        double morf = Road.curve(model, x, k, map, RoadOptions.defaults()).mean();
        long t3 = System.nanoTime();
        double lerf = Road.curve(model, x, k, map, RoadOptions.defaults().withMostRelevantFirst(false)).mean();
        long t4 = System.nanoTime();
        ConfidenceChange c = ConfidenceChange.measure(model, x, k, map, Cancellation.none());
        long t5 = System.nanoTime();
        long[] t = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4};
        for (int i = 0; i < 5; i++) {
          nanos[i] += t[i];
        }
        rows.computeIfAbsent(name, n -> new ArrayList<>())
            .add(new double[] {del, ins, morf, lerf, c.drop(), c.increased() ? 1 : 0});
      }
    }
    String[] metrics = {"deletion AUC (zero)", "insertion AUC (blur)", "ROAD MoRF mean", "ROAD LeRF mean",
        "average drop"};
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "metrics on %d cats-and-dogs photos, MobileNet-0.25 128x128, top-1 class; mean [95%% bootstrap CI]%n",
        images.size()));
    Map<String, double[]> means = new LinkedHashMap<>();
    rows.forEach((name, values) -> {
      report.append(String.format(Locale.ROOT, "  %-17s", name));
      double[] m = new double[metrics.length + 1];
      for (int j = 0; j < metrics.length; j++) {
        int col = j;
        Interval ci = Intervals.bootstrapMean(values.stream().mapToDouble(v -> v[col]).toArray());
        m[j] = ci.estimate();
        report.append(String.format(Locale.ROOT, " %s %.3f [%.3f, %.3f]", metrics[j].split(" ")[0]
            + (metrics[j].contains("LeRF") ? "-LeRF" : metrics[j].contains("MoRF") ? "-MoRF" : ""),
            ci.estimate(), ci.lower(), ci.upper()));
      }
      int increases = (int) values.stream().filter(v -> v[5] > 0).count();
      Interval inc = Intervals.wilson(increases, values.size());
      m[metrics.length] = inc.estimate();
      report.append(String.format(Locale.ROOT, " increase %d/%d [%.2f, %.2f]%n", increases, values.size(),
          inc.lower(), inc.upper()));
      means.put(name, m);
    });
    report.append(String.format(Locale.ROOT, "  ms per image and map: deletion %.0f, insertion %.0f, ROAD MoRF %.0f,"
        + " ROAD LeRF %.0f, average drop %.0f%n", nanos[0] / 1e6 / (3 * images.size()),
        nanos[1] / 1e6 / (3 * images.size()), nanos[2] / 1e6 / (3 * images.size()),
        nanos[3] / 1e6 / (3 * images.size()), nanos[4] / 1e6 / (3 * images.size())));
    System.out.print(report);
    double[] g = means.get("gradcam");
    double[] inv = means.get("gradcam inverted");
    assertTrue(g[0] < inv[0], "deletion: lower is better\n" + report);
    assertTrue(g[1] > inv[1], "insertion: higher is better\n" + report);
    assertTrue(g[2] < inv[2], "ROAD MoRF: lower is better\n" + report);
    assertTrue(g[3] > inv[3], "ROAD LeRF: higher is better\n" + report);
    assertTrue(g[4] < inv[4], "average drop: lower is better\n" + report);
  }

  @Test
  void theRandomizationCheckSeparatesGradCamFromAModelFreeMap() {
    FloatTensor x = images.get(0);
    int k = CamExplainer.of(model, CamOptions.defaults()).explain(x).get(0).classIndex();
    MapFunction gradCam = (m, img, c) -> CamExplainer.of(m, CamOptions.defaults()).explainClasses(img, c).get(0).raw();
    MapFunction brightness = (m, img, c) -> {
      float[] out = new float[SIZE * SIZE];
      for (int p = 0; p < out.length; p++) {
        out[p] = img.data()[3 * p] + img.data()[3 * p + 1] + img.data()[3 * p + 2];
      }
      return FloatTensor.of(out, SIZE, SIZE);
    };
    long t0 = System.nanoTime();
    RandomizationResult g = RandomizationCheck.run(model, x, k, gradCam, RandomizationOptions.defaults());
    long t1 = System.nanoTime();
    RandomizationResult b = RandomizationCheck.run(model, x, k, brightness, RandomizationOptions.defaults());
    System.out.printf(Locale.ROOT, "randomization check, MobileNet-0.25, layers %s: gradcam (raw) Spearman %s (%.0f ms);"
        + " brightness %s%n", g.layers(), java.util.Arrays.toString(g.correlations()), (t1 - t0) / 1e6,
        java.util.Arrays.toString(b.correlations()));
    assertArrayEquals(new double[] {1, 1, 1}, b.correlations(), 1e-12);
    for (double rho : g.correlations()) {
      assertTrue(rho < 0.5, "Grad-CAM of a model with re-initialised top layers still correlates: "
          + java.util.Arrays.toString(g.correlations()));
    }
  }

  @Test
  void gradCamPointsAtTheTileOfItsClassInMosaics() {
    // Each mosaic: a cat photo top left, a dog photo bottom right, zeros (mid grey in tf's input
    // space) in the other two tiles. Each class's map must peak in its photo's tile.
    try (KerasModel big = KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(2 * SIZE)
        .withImagenetWeights(false).config(), LoadOptions.defaults().withWeights(
            SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5")))) {
      CamExplainer cam = CamExplainer.of(big, CamOptions.defaults());
      int hits = 0;
      int trials = 0;
      for (int i = 0; i + 1 < images.size(); i += 2) {
        FloatTensor cat = images.get(i);
        FloatTensor dog = images.get(i + 1);
        int catClass = argmax(model.predict(cat).data());
        int dogClass = argmax(model.predict(dog).data());
        if (catClass == dogClass) {
          continue;
        }
        float[] m = new float[4 * SIZE * SIZE * 3];
        for (int y = 0; y < SIZE; y++) {
          System.arraycopy(cat.data(), y * SIZE * 3, m, y * 2 * SIZE * 3, SIZE * 3);
          System.arraycopy(dog.data(), y * SIZE * 3, m, ((SIZE + y) * 2 * SIZE + SIZE) * 3, SIZE * 3);
        }
        FloatTensor mosaic = FloatTensor.of(m, 2 * SIZE, 2 * SIZE, 3);
        List<Heatmap> maps = cam.explainClasses(mosaic, catClass, dogClass);
        hits += PointingGame.hit(maps.get(0).normalized(), 2 * SIZE, 2 * SIZE, new Box(0, 0, SIZE, SIZE), 0) ? 1 : 0;
        hits += PointingGame.hit(maps.get(1).normalized(), 2 * SIZE, 2 * SIZE,
            new Box(SIZE, SIZE, 2 * SIZE, 2 * SIZE), 0) ? 1 : 0;
        trials += 2;
      }
      Interval rate = PointingGame.hitRate(hits, trials);
      System.out.printf(Locale.ROOT, "pointing game, gradcam, cat top-left / dog bottom-right mosaics: %d/%d = %.2f"
          + " [%.2f, %.2f]%n", hits, trials, rate.estimate(), rate.lower(), rate.upper());
      assertTrue(trials >= images.size() / 2, "too few mosaics with two distinct classes: " + trials / 2);
      // Chance (a tile of four) is 0.25.
      assertTrue(rate.lower() > 0.25, "hit rate " + rate);
    }
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      best = v[i] > v[best] ? i : best;
    }
    return best;
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
  }
}
