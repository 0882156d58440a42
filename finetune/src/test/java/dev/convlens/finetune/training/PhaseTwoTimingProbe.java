package dev.convlens.finetune.training;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What {@code convlens bench finetune} measures, runnable from this module alone: phase 2 of
 * MobileNet-0.25 (128x128, real weights, conv_dw_13 onward + the book's head, RMSprop 1e-5) on the
 * 2,000 training images of cats_and_dogs_small: (1) the training step without the cache with bulk
 * vs element-wise copies ({@link Phase#elementwiseCopies}); (2) one epoch with the frozen-prefix
 * cache vs without, with its first step (which plans the run) apart. Wall and process CPU time:
 * on a shared machine the CPU time is the steadier number. Not a test:
 * {@code mvn -o verify -pl finetune -Dtest=PhaseTwoTimingProbe -Dconvlens.bench=true}.
 */
@EnabledIfSystemProperty(named = "convlens.bench", matches = "true")
class PhaseTwoTimingProbe {
  @Test
  void phaseTwo() {
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    Path data = SharedData.require("cats_and_dogs_small/train");
    ImageDataset train = ImageDataset.fromDirectory(data, DatasetOptions.of(128, 128, Preprocessing.TF).withBatchSize(32).withSeed(1));
    Phase phase = Phase.fineTune("conv_dw_13", Optimizer.rmsprop(1e-5), 1);
    for (int round = 0; round < Integer.getInteger("rounds", 2); round++) {
      for (boolean elementwise : new boolean[] {false, true}) {
        print(elementwise ? "no cache, element-wise" : "no cache, bulk", epoch(weights, train,
            phase.withCachePrefix(false).withElementwiseCopies(elementwise)));
      }
      print("cache, bulk", epoch(weights, train, phase));
    }
  }

  /** Step times in ms (the first one plans the run), epoch seconds and process CPU seconds. */
  private record Epoch(double[] steps, double seconds, double cpuSeconds) {}

  private static Epoch epoch(Path weights, ImageDataset train, Phase phase) {
    var base = MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).withIncludeTop(false);
    List<Long> times = new ArrayList<>();
    long[] cpu = new long[1];
    try (KerasModel b = KerasModel.fromConfig(base.config(), LoadOptions.defaults().withWeights(weights));
         Classifier c = Classifier.create(b, Head.book(), train.classNames(), LabelMode.BINARY, 1)) {
      History h = c.fit(train, null, phase, e -> {
        if (e instanceof TrainingEvent.EpochStarted) {
          cpu[0] = cpuNanos();
        }
        if (e instanceof TrainingEvent.EpochStarted || e instanceof TrainingEvent.BatchDone) {
          times.add(System.nanoTime());
        }
      });
      double[] steps = new double[times.size() - 1];
      for (int i = 1; i < times.size(); i++) {
        steps[i - 1] = (times.get(i) - times.get(i - 1)) / 1e6;
      }
      return new Epoch(steps, h.last().seconds(), (cpuNanos() - cpu[0]) / 1e9);
    }
  }

  private static void print(String what, Epoch e) {
    double[] rest = Arrays.copyOfRange(e.steps(), 1, e.steps().length);
    Arrays.sort(rest);
    System.out.printf(Locale.ROOT, "%-24s epoch %.3f s (cpu %.3f s), first step %.1f ms, median step %.1f ms%n", what,
        e.seconds(), e.cpuSeconds(), e.steps()[0], rest[rest.length / 2]);
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
