package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import dev.convlens.finetune.data.SyntheticImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many training steps with 1.5 MB input tensors each: if a step leaked its tensors or results, the
 * process' native memory (resident set minus the committed Java heap) would grow by about 450 MB.
 */
class LongRunTest {
  @TempDir
  Path tmp;

  @Test
  void threeHundredStepsDoNotGrowNativeMemory() throws Exception {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc to read the resident set");
    DatasetOptions o = DatasetOptions.of(64, 64, Preprocessing.RESCALE_1_255).batchSize(32);
    ImageDataset train = ImageDataset.fromDirectory(SyntheticImages.write(tmp, List.of("a", "b"), 16, 64, 1), o);
    long[] samples = new long[2];
    try (KerasModel base = TinyBase.load(64);
         Classifier c = Classifier.create(base, Head.book().units(4), train.classNames(), LabelMode.BINARY, 1)) {
      History h = c.fit(train, null, Phase.fineTune("c1", Optimizer.sgd(1e-3), 300).cachePrefix(false), e -> {
        if (e instanceof TrainingEvent.EpochDone d && (d.metrics().epoch() == 30 || d.metrics().epoch() == 300)) {
          samples[d.metrics().epoch() == 30 ? 0 : 1] = nativeBytes();
        }
      });
      assertEquals(300, h.epochs().size());
      assertTrue(Double.isFinite(h.last().loss()));
    }
    long growth = samples[1] - samples[0];
    System.out.printf("native memory from step 30 to 300: %+d MB%n", growth >> 20);
    assertTrue(growth < 150L << 20, "native memory grew by " + (growth >> 20) + " MB over 270 steps");
  }

  private static long nativeBytes() {
    System.gc();
    long rss = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return rss - Runtime.getRuntime().totalMemory();
  }
}
