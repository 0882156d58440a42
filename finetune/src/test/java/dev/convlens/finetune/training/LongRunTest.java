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
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many training steps with 1.5 MB input tensors each: if a step leaked its tensors or results, the
 * process' resident memory outside the Java heap would grow by about 300 MB over the 200 steps between
 * the two measured windows.
 */
class LongRunTest {
  @TempDir
  Path tmp;

  @Test
  void threeHundredStepsDoNotGrowMemoryOutsideTheHeap() throws Exception {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs Linux /proc/self/smaps to read resident memory");
    DatasetOptions o = DatasetOptions.of(64, 64, Preprocessing.RESCALE_1_255).withBatchSize(32);
    ImageDataset train = ImageDataset.fromDirectory(SyntheticImages.write(tmp, List.of("a", "b"), 16, 64, 1), o);
    // minima over two windows of samples: malloc arenas and GC structures swing by about 100 MB
    long[] early = {Long.MAX_VALUE};
    long[] late = {Long.MAX_VALUE};
    // native objects (tensors) still waiting to be freed; an unclosed tensor stays here until a GC
    long[] pointers = new long[2];
    try (KerasModel base = TinyBase.load(64);
         Classifier c = Classifier.create(base, Head.book().withUnits(4), train.classNames(), LabelMode.BINARY, 1)) {
      History h = c.fit(train, null, Phase.fineTune("c1", Optimizer.sgd(1e-3), 300).withCachePrefix(false), e -> {
        if (e instanceof TrainingEvent.EpochDone d && (d.metrics().epoch() == 30 || d.metrics().epoch() == 300)) {
          pointers[d.metrics().epoch() == 30 ? 0 : 1] = Pointer.totalCount();
        }
        if (e instanceof TrainingEvent.EpochDone d && d.metrics().epoch() % 10 == 0) {
          int epoch = d.metrics().epoch();
          if (epoch >= 40 && epoch <= 100) {
            early[0] = Math.min(early[0], nativeBytes());
          } else if (epoch >= 240) {
            late[0] = Math.min(late[0], nativeBytes());
          }
        }
      });
      assertEquals(300, h.epochs().size());
      assertTrue(Double.isFinite(h.last().loss()));
    }
    System.out.printf("live native pointers at step 30: %d, at step 300: %d%n", pointers[0], pointers[1]);
    assertTrue(pointers[1] - pointers[0] < 20, "native objects not freed: " + pointers[0] + " -> " + pointers[1]);
    long growth = late[0] - early[0];
    System.out.printf("memory outside the heap, steps 40-100 to 240-300: %+d MB%n", growth >> 20);
    assertTrue(growth < 100L << 20, "memory outside the heap grew by " + (growth >> 20) + " MB over 200 steps");
  }

  /**
   * Resident bytes outside the Java heap: the sum of {@code Rss} over {@code /proc/self/smaps}
   * without the heap's reservation (the one mapping at least half of {@code -Xmx} large), so that
   * the heap growing with garbage does not count.
   */
  private static long nativeBytes() {
    System.gc();
    long heapReservation = Runtime.getRuntime().maxMemory() / 2;
    long total = 0;
    boolean skip = false;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
        if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
          String[] range = line.substring(0, line.indexOf(' ')).split("-");
          skip = Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16) >= heapReservation;
        } else if (line.startsWith("Rss:") && !skip) {
          total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return total;
  }
}
