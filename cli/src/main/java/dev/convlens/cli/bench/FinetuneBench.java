package dev.convlens.cli.bench;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import dev.convlens.finetune.training.Classifier;
import dev.convlens.finetune.training.Head;
import dev.convlens.finetune.training.History;
import dev.convlens.finetune.training.Optimizer;
import dev.convlens.finetune.training.Phase;
import dev.convlens.finetune.training.TrainingEvent;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench finetune}: (1) feature-extraction throughput, images per second through a
 * frozen base without its top (MobileNet-0.25 and VGG16, random weights: speed does not depend on
 * the values) on preprocessed batches; (2) two phase-2 epochs (MobileNet-0.25 at 128, the last
 * depthwise/pointwise block and the head trainable) on the same data with the frozen-prefix cache,
 * without it, and without it on the NdArray copy path the training loop used before, with the first
 * step (which plans the run) apart from the median of the others. One run each; the machine's load
 * is printed because other processes distort the numbers.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
    description = "Feature-extraction images/s (MobileNet-0.25, VGG16) and a phase-2 epoch with vs without the "
        + "frozen-prefix cache.")
public final class FinetuneBench implements Callable<Integer> {
  @Option(names = "--size", defaultValue = "150", description = "Input size of the throughput runs (default ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--images", defaultValue = "256", description = "Images per throughput run (default ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--batch-size", defaultValue = "32", description = "Default ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--data", paramLabel = "DIR",
      description = "Class folders for the phase-2 epochs (e.g. cats_and_dogs_small/train); without it that part is skipped.")
  @Nullable Path data;

  @Option(names = "--weights", paramLabel = "FILE", description = "mobilenet_2_5_128_tf.h5 for the phase-2 base (default: random).")
  @Nullable Path weights;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "machine: %d cores, load average %.2f%n", Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    out.printf(Locale.ROOT, "feature extraction at %dx%d, batch %d, %d images (forward through the frozen base):%n", size, size,
        batch, images);
    throughput(out, "MobileNet-0.25", MobileNet.Options.defaults().withAlpha(0.25).withInputSize(size).withIncludeTop(false)
        .withImagenetWeights(false).config());
    throughput(out, "VGG16", Vgg16.Options.defaults().withIncludeTop(false).withInputSize(size, size).withImagenetWeights(false).config());
    if (data != null) {
      phaseTwo(out);
    }
    out.flush();
    return 0;
  }

  private void throughput(PrintWriter out, String name, String config) {
    try (KerasModel m = KerasModel.fromConfig(config, LoadOptions.defaults().withRandomWeights(1))) {
      FloatTensor x = randomBatch(batch, size);
      m.predict(x); // warm-up: first-run graph optimisation and allocations
      int runs = Math.max(1, images / batch);
      long start = System.nanoTime();
      for (int i = 0; i < runs; i++) {
        m.predict(x);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      out.printf(Locale.ROOT, "  %-15s %8.1f images/s  (%d x %d images in %.2f s)%n", name, runs * batch / seconds, runs,
          batch, seconds);
      out.flush();
    }
  }

  private void phaseTwo(PrintWriter out) {
    DatasetOptions options = DatasetOptions.of(128, 128, Preprocessing.TF).withBatchSize(batch).withSeed(1);
    long t0 = System.nanoTime();
    ImageDataset train = ImageDataset.fromDirectory(Objects.requireNonNull(data), options);
    out.printf(Locale.ROOT, "phase 2 (MobileNet-0.25 at 128, conv_dw_13 onward + head trainable), %d images of %s,"
        + " read in %.1f s:%n", train.size(), data, (System.nanoTime() - t0) / 1e9);
    MobileNet.Options base = MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).withIncludeTop(false);
    LoadOptions load = weights != null ? LoadOptions.defaults().withWeights(weights) : LoadOptions.defaults().withRandomWeights(1);
    if (weights == null) {
      base = base.withImagenetWeights(false);
    }
    LabelMode mode = train.classNames().size() == 2 ? LabelMode.BINARY : LabelMode.CATEGORICAL;
    // Two epochs: the first also plans the session's runs (a one-time cost per model), the second is what
    // every further epoch of a fine-tuning run costs.
    Phase phase = Phase.fineTune("conv_dw_13", Optimizer.rmsprop(1e-5), 2);
    // Same seed and data in every variant: only the frozen-prefix cache and the copy path differ.
    Epochs cached = epochs(base, load, train, mode, phase);
    Epochs bulk = epochs(base, load, train, mode, phase.withCachePrefix(false));
    Epochs elementwise = epochs(base, load, train, mode, phase.withCachePrefix(false).withElementwiseCopies(true));
    print(out, "with cache", cached);
    print(out, "no cache", bulk);
    print(out, "no cache, NdArray copies", elementwise);
    out.printf(Locale.ROOT, "  epoch without / with the cache: %.2fx for epoch 2, %.2fx for epoch 1 (which plans the runs);"
        + " training step NdArray / bulk copies: %.2fx (median steps of epoch 2)%n",
        bulk.secondSeconds / cached.secondSeconds, bulk.firstSeconds / cached.firstSeconds,
        elementwise.medianStepMs / bulk.medianStepMs);
  }

  /**
   * Two phase-2 epochs: seconds of each, the first step (which plans the run), the median step of epoch 2 in
   * ms, and the time spent building the frozen-prefix cache before the first epoch.
   */
  private record Epochs(double firstSeconds, double secondSeconds, double firstStepMs, double medianStepMs,
      double cacheSeconds) {}

  private Epochs epochs(MobileNet.Options base, LoadOptions load, ImageDataset train, LabelMode mode, Phase phase) {
    try (KerasModel b = KerasModel.fromConfig(base.config(), load);
         Classifier c = Classifier.create(b, Head.book(), train.classNames(), mode, 1)) {
      List<List<Double>> steps = new ArrayList<>();
      long[] last = {0};
      long start = System.nanoTime();
      double[] cacheSeconds = {0};
      History h = c.fit(train.withOptions(train.options().withLabelMode(mode)), null, phase, e -> {
        long now = System.nanoTime();
        if (e instanceof TrainingEvent.PhaseStarted) {
          cacheSeconds[0] = (now - start) / 1e9;
        } else if (e instanceof TrainingEvent.EpochStarted) {
          steps.add(new ArrayList<>());
          last[0] = now;
        } else if (e instanceof TrainingEvent.BatchDone) {
          steps.get(steps.size() - 1).add((now - last[0]) / 1e6);
          last[0] = now;
        }
      });
      double[] second = steps.get(1).stream().mapToDouble(Double::doubleValue).toArray();
      return new Epochs(h.epochs().get(0).seconds(), h.epochs().get(1).seconds(), steps.get(0).get(0),
          new Median().evaluate(second), cacheSeconds[0]);
    }
  }

  private static void print(PrintWriter out, String what, Epochs e) {
    out.printf(Locale.ROOT, "  %-26s epoch 1 %6.2f s (first step %6.1f ms), epoch 2 %6.2f s (median step %6.1f ms)%s%n",
        what, e.firstSeconds, e.firstStepMs, e.secondSeconds, e.medianStepMs, e.cacheSeconds > 0.5
            ? String.format(Locale.ROOT, " (building the cache took %.2f s)", e.cacheSeconds) : "");
    out.flush();
  }

  private static FloatTensor randomBatch(int n, int size) {
    SplittableRandom r = new SplittableRandom(42);
    float[] v = new float[n * size * size * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return new FloatTensor(new long[] {n, size, size, 3}, v);
  }

  /** Runs the benchmark on its own until {@code bench} wires it in: {@code java -cp convlens.jar ...FinetuneBench}. */
  public static void main(String[] args) {
    System.exit(new picocli.CommandLine(new FinetuneBench()).execute(args));
  }
}
