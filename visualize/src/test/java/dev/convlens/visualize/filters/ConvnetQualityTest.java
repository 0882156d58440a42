package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.KerasImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dataset maxima and the activation ratio on the real cats-vs-dogs convnet (180x180, a
 * Rescaling(1/255) inside, so raw 0..255 pixels are its input): {@code conv2d_10}, the middle of
 * its five convolutions, over 40 validation images.
 */
class ConvnetQualityTest {
  private static final String LAYER = "conv2d_10";

  @Test
  void maximaBoundEveryReferenceImageAndDatasetImagesStayAtOrBelowOne() throws IOException {
    Path file = SharedData.require("models/keras-v3/convnet_from_scratch_with_augmentation.keras");
    Path validation = SharedData.require("cats_and_dogs_small/validation");
    List<FloatTensor> images = new ArrayList<>();
    for (String cls : List.of("cats", "dogs")) {
      try (Stream<Path> files = Files.list(validation.resolve(cls))) {
        files.sorted().limit(20).forEach(p -> images.add(KerasImages.loadImg(p, 180, 180)));
      }
    }
    try (KerasModel model = KerasModel.load(file)) {
      long t0 = System.nanoTime();
      ChannelMaxima maxima = ChannelMaxima.of(model, LAYER, images, QualityOptions.defaults());
      long t1 = System.nanoTime();
      assertEquals(40, maxima.imageCount());
      assertEquals(128, maxima.channels());

      // each image's channel means through the public activations API, one image per call
      double[][] acts = new double[images.size()][];
      for (int i = 0; i < images.size(); i++) {
        Map<String, FloatTensor> a = model.activations(images.get(i), List.of(LAYER));
        acts[i] = channelMeans(a.get(LAYER));
      }
      int dead = 0;
      int[] argmax = new int[128];
      for (int c = 0; c < 128; c++) {
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < acts.length; i++) {
          double tolerance = 1e-5 * Math.abs(acts[i][c]) + 1e-6; // batched and single runs differ in the last bits
          assertTrue(maxima.max(c) >= acts[i][c] - tolerance,
              "channel " + c + ": max " + maxima.max(c) + " < activation " + acts[i][c] + " of image " + i);
          if (acts[i][c] > best) {
            best = acts[i][c];
            argmax[c] = i;
          }
        }
        assertEquals(best, maxima.max(c), 1e-5 * Math.abs(best) + 1e-6, "channel " + c + " is not the dataset maximum");
        if (maxima.max(c) <= 0) {
          dead++;
        }
      }

      // 4 dataset images, 8 channels each (every 4th channel of the layer): ratios of reference images are at most 1
      List<Integer> channels = new ArrayList<>();
      List<FloatTensor> pictures = new ArrayList<>();
      int[] which = {0, 13, 26, 39};
      for (int j = 0; j < 32; j++) {
        channels.add(4 * j);
        pictures.add(images.get(which[j % 4]));
      }
      // and the first channel that fires on the dataset, on the image that drives it most: exactly its maximum
      int live = 0;
      while (maxima.max(live) <= 0) {
        live++;
      }
      channels.add(live);
      pictures.add(images.get(argmax[live]));
      long t2 = System.nanoTime();
      List<FeatureQuality> q = FeatureQuality.measureAll(model, maxima, channels, pictures,
          QualityOptions.defaults().withSamples(1));
      long t3 = System.nanoTime();
      System.out.printf("%s: maxima over 40 images in %.2f s (%d dead channels); 33 measurements x 2 images"
          + " in %.2f s; channel %d on its best image: %s%n", LAYER, (t1 - t0) / 1e9, dead, (t3 - t2) / 1e9, live, q.get(32));
      for (int j = 0; j < 32; j++) {
        FeatureQuality f = q.get(j);
        assertTrue(f.activationRatio() <= 1 + 1e-5, "channel " + 4 * j + " on dataset image " + which[j % 4] + ": " + f);
        assertTrue(f.activationRatio() >= 0 && f.robustness() >= 0 && f.selectivity() >= 0, "ReLU layer: " + f);
      }
      assertEquals(1.0, q.get(32).activationRatio(), 1e-5, "the image that sets channel " + live + "'s maximum");
    }
  }

  private static double[] channelMeans(FloatTensor act) {
    int channels = (int) act.dim(-1);
    double[] sum = new double[channels];
    float[] d = act.data();
    for (int i = 0; i < d.length; i++) {
      sum[i % channels] += d[i];
    }
    int pixels = d.length / channels;
    for (int c = 0; c < channels; c++) {
      sum[c] /= pixels;
    }
    return sum;
  }
}
