package dev.convlens.cli.bench;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.visualize.filters.FeatureOptions;
import dev.convlens.visualize.filters.FeatureVisualizer;
import dev.convlens.visualize.filters.FilterOptions;
import dev.convlens.visualize.filters.FilterResult;
import dev.convlens.visualize.filters.FilterVisualizer;
import dev.convlens.visualize.filters.Objective;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench filters}: filter visualization of VGG16 {@code block3_conv1} (Keras-default
 * random weights) in whole-layer mode (one batch per step) against one filter at a time, both in
 * one run on the same filters, with the same pictures checked. Prints seconds per filter and the
 * ratio; exits 0 whatever the figures.
 */
@Command(name = "filters", mixinStandardHelpOptions = true,
    description = {"Time filter visualization on VGG16 block3_conv1 (random weights): whole-layer mode against "
        + "one filter at a time, in one run, and print seconds per filter and the ratio.",
        "Default: 64 filters, 64x64, 40 steps; --filters 16 for a quick run."})
public final class FiltersBenchCommand implements Callable<Integer> {
  @Option(names = "--filters", defaultValue = "64", paramLabel = "N", description = "Filters 0..N-1 (default ${DEFAULT-VALUE}).")
  int filters;

  @Option(names = "--layer", defaultValue = "block3_conv1", description = "VGG16 layer (default ${DEFAULT-VALUE}).")
  String layer;

  @Option(names = "--size", defaultValue = "64", paramLabel = "N", description = "Image size (default ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--steps", defaultValue = "40", paramLabel = "N", description = "Steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--batch", defaultValue = "0", paramLabel = "N",
      description = "Whole-layer batch size: 0 = as the memory budget allows (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--random-weights", defaultValue = "42", paramLabel = "SEED",
      description = "Seed of the random weights (default ${DEFAULT-VALUE}).")
  long weightsSeed;

  @Spec
  CommandSpec spec;

  /** Standalone entry point, for use before the command is wired under {@code convlens bench}. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new FiltersBenchCommand()).execute(args));
  }

  @Override
  public Integer call() {
    if (filters < 1 || filters > 256 || size < 32 || steps < 1 || batch < 0) {
      throw new ParameterException(spec.commandLine(),
          "need 1 <= --filters <= 256, --size >= 32, --steps >= 1 and --batch >= 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<Integer> chosen = IntStream.range(0, filters).boxed().toList();
    FilterOptions options = FilterOptions.defaults().withSteps(steps).withSeed(1).withBatchSize(batch);
    long t0 = System.nanoTime();
    try (KerasModel m = KerasModel.fromConfig(
        Vgg16.Options.defaults().withIncludeTop(false).withInputSize(size, size).withImagenetWeights(false).config(),
        LoadOptions.defaults().withRandomWeights(weightsSeed))) {
      FilterVisualizer vis = FilterVisualizer.of(m, layer);
      err.printf(Locale.ROOT, "model built in %.1f s; warming up%n", (System.nanoTime() - t0) / 1e9);
      err.flush();
      // Warm-up: TF optimizes and allocates on the first runs of each batch shape.
      vis.run(chosen.subList(0, Math.min(2, filters)), options.withSteps(2));
      vis.run(chosen.subList(0, 1), options.withSteps(2).oneByOne());
      vis.run(chosen, options.withSteps(1));

      err.println("whole layer ...");
      err.flush();
      long a = System.nanoTime();
      List<FilterResult> whole = vis.run(chosen, options);
      double wholeSeconds = (System.nanoTime() - a) / 1e9;
      err.println("one by one ...");
      err.flush();
      long b = System.nanoTime();
      List<FilterResult> single = vis.run(chosen, options.oneByOne());
      double singleSeconds = (System.nanoTime() - b) / 1e9;

      // The readable preset (Fourier, decorrelated colours, transforms, Adam) on the same filters, whole layer.
      FeatureVisualizer features = FeatureVisualizer.of(m);
      FeatureOptions readable = FeatureOptions.defaults().withSteps(steps).withSeed(1).withBatchSize(batch)
          .withPreprocessing(Preprocessing.CAFFE);
      features.prepare(List.of(Objective.channel(layer, 0)), readable);
      features.renderChannels(layer, chosen, readable.withSteps(2), null);
      err.println("whole layer, readable preset ...");
      err.flush();
      long c = System.nanoTime();
      features.renderChannels(layer, chosen, readable, null);
      double readableSeconds = (System.nanoTime() - c) / 1e9;

      double maxDiff = 0;
      for (int i = 0; i < whole.size(); i++) {
        float[] x = whole.get(i).input().data();
        float[] y = single.get(i).input().data();
        for (int j = 0; j < x.length; j++) {
          maxDiff = Math.max(maxDiff, Math.abs(x[j] - y[j]));
        }
      }
      List<String> lines = new ArrayList<>();
      lines.add(String.format(Locale.ROOT, "filter visualization: VGG16 %s, random weights (seed %d), %d filters, %dx%d, %d steps",
          layer, weightsSeed, filters, size, size, steps));
      lines.add(String.format(Locale.ROOT, "machine: %d cores, Java %s, load average %.2f at start, %.2f at end",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAtStart,
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
      lines.add(String.format(Locale.ROOT, "whole layer (batch %s): %8.3f s total, %7.3f s per filter",
          batch == 0 ? "auto" : Integer.toString(batch), wholeSeconds, wholeSeconds / filters));
      lines.add(String.format(Locale.ROOT, "one by one           : %8.3f s total, %7.3f s per filter",
          singleSeconds, singleSeconds / filters));
      lines.add(String.format(Locale.ROOT, "ratio one-by-one / whole-layer: %.2fx; max |pixel difference| between modes: %.3g",
          singleSeconds / wholeSeconds, maxDiff));
      lines.add(String.format(Locale.ROOT, "whole layer, readable preset (Fourier + decorrelation + transforms, Adam): %8.3f s total,"
          + " %7.3f s per filter, %.2f ms per filter-step", readableSeconds, readableSeconds / filters,
          1000 * readableSeconds / filters / steps));
      lines.add(String.format(Locale.ROOT, "ratio readable / pixel-space whole-layer step cost: %.2fx (pixel: %.2f ms per filter-step)",
          readableSeconds / wholeSeconds, 1000 * wholeSeconds / filters / steps));
      lines.forEach(out::println);
      out.flush();
    }
    return 0;
  }
}
