package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.visualize.render.Grid;
import dev.convlens.visualize.render.Images;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's acceptance on real trained models: the readable preset (Fourier, decorrelated colours,
 * standard transforms) against the pixel parameterization with the same optimizer, on a middle and a
 * deep layer of the cats-vs-dogs convnet and of MobileNet-0.25 (ImageNet weights), each measured
 * against the channels' maxima over cats-vs-dogs validation images. Grids and numbers go to
 * {@code target/feature-visualization}.
 */
class ReadablePresetTest {
  private static final Path OUT = Path.of("target", "feature-visualization");
  static final int STEPS = Integer.getInteger("convlens.featureSteps", 128);
  static final int CHANNELS = Integer.getInteger("convlens.featureChannels", 6);
  static final int REFERENCE = Integer.getInteger("convlens.featureReference", 40);

  @Test
  void catsVsDogsConvnet() {
    Path file = SharedData.require("models/keras-v3/convnet_from_scratch_with_augmentation.keras");
    List<FloatTensor> reference = validation(180, Preprocessing.NONE);
    try (KerasModel model = KerasModel.load(file)) {
      FeatureOptions options = FeatureOptions.defaults().withSteps(STEPS);
      check(model, "convnet", "conv2d_10", reference, options);
      check(model, "convnet", "conv2d_12", reference, options);
    }
  }

  @Test
  void mobileNet() {
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    List<FloatTensor> reference = validation(128, Preprocessing.TF);
    try (KerasModel model = KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).config(),
        LoadOptions.defaults().withWeights(weights))) {
      FeatureOptions options = FeatureOptions.defaults().withSteps(STEPS).withPreprocessing(Preprocessing.TF);
      check(model, "mobilenet", "conv_pw_6_relu", reference, options);
      check(model, "mobilenet", "conv_pw_11_relu", reference, options);
    }
  }

  /** Goldfish, flamingo, strawberry: each generated picture is classified as its class, top-1. */
  @Test
  void mobileNetClassLogits() {
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    try (KerasModel model = KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).config(),
        LoadOptions.defaults().withWeights(weights))) {
      int[] classes = {1, 130, 949};
      List<Objective> objectives = Arrays.stream(classes).mapToObj(Objective::classLogit).toList();
      List<FeatureResult> results = FeatureVisualizer.of(model)
          .render(objectives, FeatureOptions.defaults().withSteps(64).withPreprocessing(Preprocessing.TF), null);
      List<BufferedImage> tiles = new ArrayList<>();
      for (int i = 0; i < classes.length; i++) {
        FeatureResult r = results.get(i);
        float[] p = model.predict(FloatTensor.stack(List.of(r.input()))).data();
        int top = 0;
        for (int j = 1; j < p.length; j++) {
          top = p[j] > p[top] ? j : top;
        }
        System.out.printf(Locale.ROOT, "class %d: logit %.2f -> %.2f, top-1 %d with p = %.4f%n", classes[i],
            r.values().get(0), r.finalValue(), top, p[top]);
        assertTrue(top == classes[i], "class " + classes[i] + ": the picture is classified as " + top);
        tiles.add(r.image());
      }
      Images.write(Grid.of(tiles, tiles.size(), 2, Color.BLACK), OUT.resolve("mobilenet_class_logits.png"));
    }
  }

  private static void check(KerasModel model, String name, String layer, List<FloatTensor> reference,
      FeatureOptions options) {
    QualityOptions q = QualityOptions.defaults();
    ChannelMaxima maxima = ChannelMaxima.of(model, layer, reference, q);
    // Live channels (fired on the reference data), evenly spread over the layer.
    List<Integer> live = IntStream.range(0, maxima.channels()).filter(c -> maxima.max(c) > 0).boxed().toList();
    List<Integer> chosen = new ArrayList<>();
    for (int i = 0; i < CHANNELS && i < live.size(); i++) {
      chosen.add(live.get(i * live.size() / Math.min(CHANNELS, live.size())));
    }
    FeatureVisualizer v = FeatureVisualizer.of(model);
    long t0 = System.nanoTime();
    List<FeatureResult> readable = v.renderChannels(layer, chosen, options, null);
    long t1 = System.nanoTime();
    List<FeatureResult> pixels = v.renderChannels(layer, chosen, options.pixelSpace(), null);
    long t2 = System.nanoTime();
    List<FeatureQuality> qr = FeatureQuality.measureAll(model, maxima, chosen, readable.stream().map(FeatureResult::input).toList(), q);
    List<FeatureQuality> qp = FeatureQuality.measureAll(model, maxima, chosen, pixels.stream().map(FeatureResult::input).toList(), q);
    int reached = 0;
    int counted = 0;
    // robustness is compared on the channels both renders brought to life
    List<Double> robustR = new ArrayList<>();
    List<Double> robustP = new ArrayList<>();
    StringBuilder table = new StringBuilder();
    for (int i = 0; i < chosen.size(); i++) {
      if (readable.get(i).dead()) {
        continue;
      }
      counted++;
      reached += qr.get(i).activationRatio() >= 1 ? 1 : 0;
      if (!pixels.get(i).dead()) {
        robustR.add(qr.get(i).robustness());
        robustP.add(qp.get(i).robustness());
      }
      table.append(String.format(Locale.ROOT, "  channel %3d: readable a=%.2f b=%.2f c=%.2f | pixels a=%.2f b=%.2f c=%.2f%n",
          chosen.get(i), qr.get(i).activationRatio(), qr.get(i).robustness(), qr.get(i).selectivity(),
          qp.get(i).activationRatio(), qp.get(i).robustness(), qp.get(i).selectivity()));
    }
    double medianR = median(robustR);
    double medianP = median(robustP);
    System.out.printf(Locale.ROOT, "%s %s: %d live of %d; readable reached a>=1 on %d of %d, median robustness %.3f vs pixels %.3f"
        + " (%d channels live in both); render %.1f s readable, %.1f s pixels (%d steps)%n%s", name, layer, live.size(),
        maxima.channels(), reached, counted, medianR, medianP, robustR.size(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, options.steps(), table);
    write(readable, pixels, OUT.resolve(name + "_" + layer + ".png"));
    assertTrue(counted > 0, layer + ": no live channel rendered");
    assertTrue(reached >= Math.ceil(0.8 * counted), layer + ": readable reached a >= 1 on only " + reached + " of " + counted);
    assertTrue(!robustR.isEmpty() && medianR > medianP, layer + ": readable median robustness " + medianR + " <= pixels " + medianP);
  }

  private static void write(List<FeatureResult> readable, List<FeatureResult> pixels, Path file) {
    List<BufferedImage> tiles = new ArrayList<>();
    readable.forEach(r -> tiles.add(r.image()));
    pixels.forEach(r -> tiles.add(r.image()));
    Images.write(Grid.of(tiles, readable.size(), 2, Color.BLACK), file);
  }

  static List<FloatTensor> validation(int size, Preprocessing preprocessing) {
    Path root = SharedData.require("cats_and_dogs_small/validation");
    List<FloatTensor> images = new ArrayList<>();
    for (String cls : List.of("cats", "dogs")) {
      try (Stream<Path> files = Files.list(root.resolve(cls))) {
        files.sorted().limit(REFERENCE / 2).forEach(p -> images.add(preprocessing.apply(KerasImages.loadImg(p, size, size))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return images;
  }

  private static double median(List<Double> x) {
    double[] s = x.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
