package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.finetune.data.Augmentation;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: training ops are built once per (model, trainable set, optimizer) and reused, so 20
 * fits cycling through three phase configurations (cached head-only, cached fine-tuning, augmented
 * fine-tuning on the whole model) stop adding ops after the first fit of each configuration, and the
 * process' resident memory stays flat. MobileNet-0.25 at 32x32 with random weights, generated images.
 */
class RepeatedFitTest {
  private static final Path STATUS = Path.of("/proc/self/status");

  @Test
  void twentyFitsDoNotGrowTheGraphOrResidentMemory() throws IOException {
    DatasetOptions o = DatasetOptions.of(32, 32, Preprocessing.TF).withBatchSize(8).withSeed(1);
    int[] classes = new int[32];
    for (int i = 0; i < classes.length; i++) {
      classes[i] = i % 2;
    }
    ImageDataset train = ImageDataset.fromImages(List.of("dark", "bright"), classes, i -> image(i, classes[i]), o);
    ImageDataset augmented = train.withOptions(o.withAugmentation(Augmentation.book()));
    List<Phase> configs = List.of(
        Phase.headOnly(Optimizer.rmsprop(1e-3), 1).withSeed(2),
        Phase.fineTune("conv_dw_13", Optimizer.rmsprop(1e-4), 1).withSeed(3),
        Phase.fineTune("conv_dw_13", Optimizer.adam(1e-4), 1).withSeed(4).withCachePrefix(false));
    var base = MobileNet.Options.defaults().withAlpha(0.25).withInputSize(32).withIncludeTop(false).withImagenetWeights(false);
    Map<Integer, Integer> opsAfterFirst = new HashMap<>();
    List<Integer> counts = new ArrayList<>();
    long rssAfter5 = -1;
    long rssAfter20 = -1;
    try (KerasModel b = KerasModel.fromConfig(base.config(), LoadOptions.defaults().withRandomWeights(1));
         Classifier c = Classifier.create(b, Head.book().withUnits(16), train.classNames(), LabelMode.BINARY, 5)) {
      for (int fit = 1; fit <= 20; fit++) {
        int k = (fit - 1) % configs.size();
        History h = c.fit(k == 2 ? augmented : train, train, configs.get(k), null);
        assertTrue(Double.isFinite(h.last().loss()), h.toCsv());
        int n = c.model().graph().operationCount();
        counts.add(n);
        Integer first = opsAfterFirst.putIfAbsent(k, n);
        if (first != null) {
          // every configuration has been built once: nothing may add ops any more
          assertEquals(counts.get(configs.size() - 1), n, "ops after fit " + fit + ": " + counts);
        }
        if (fit == 5) {
          rssAfter5 = residentBytes();
        } else if (fit == 20) {
          rssAfter20 = residentBytes();
        }
      }
    }
    System.out.printf(Locale.ROOT, "graph ops after each fit: %s%n", counts);
    assertTrue(counts.get(0) < counts.get(1) && counts.get(1) < counts.get(2), "each new configuration adds its ops once: "
        + counts);
    if (rssAfter5 < 0) {
      System.out.println("skipped the resident-memory check: no " + STATUS + " on this system");
      return;
    }
    double growth = (double) (rssAfter20 - rssAfter5) / rssAfter5;
    System.out.printf(Locale.ROOT, "VmRSS after fit 5: %d MB, after fit 20: %d MB (%+.2f%%)%n", rssAfter5 >> 20,
        rssAfter20 >> 20, 100 * growth);
    assertTrue(growth < 0.05, "resident memory grew by " + String.format(Locale.ROOT, "%.1f%%", 100 * growth)
        + " from fit 5 to fit 20");
  }

  /** A noisy image, darker or brighter by class, values 0..255. */
  private static FloatTensor image(int index, int cls) {
    SplittableRandom r = new SplittableRandom(index);
    float[] v = new float[32 * 32 * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (cls * 120 + r.nextDouble() * 135);
    }
    return new FloatTensor(new long[] {32, 32, 3}, v);
  }

  /** VmRSS of this process after a GC (so that garbage waiting in the heap counts less), or -1 without /proc. */
  private static long residentBytes() throws IOException {
    if (!Files.isReadable(STATUS)) {
      return -1;
    }
    System.gc();
    for (String line : Files.readAllLines(STATUS)) {
      if (line.startsWith("VmRSS:")) {
        String[] f = line.substring(6).trim().split("\\s+");
        return Long.parseLong(f[0]) * 1024;
      }
    }
    return -1;
  }
}
