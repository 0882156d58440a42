package dev.convlens.cli;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.io.Npy;
import dev.convlens.visualize.filters.FilterGrid;
import dev.convlens.visualize.filters.FilterOptions;
import dev.convlens.visualize.filters.FilterResult;
import dev.convlens.visualize.filters.FilterVisualizer;
import dev.convlens.visualize.render.Images;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "filters", mixinStandardHelpOptions = true,
    description = {"Visualize the filters of a convolutional layer by gradient ascent in input space and write "
        + "them as a grid (the book's listings 5.38/5.39), e.g.",
        "  convlens filters --model vgg16 --layer block3_conv1 --filters 0-63 --size 64 --out grid.png",
        "Built-in architectures are used without their top, at --size. Progress goes to stderr."})
final class FiltersCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--layer", required = true, paramLabel = "NAME", description = "A layer with a 4-D output, e.g. block3_conv1.")
  String layer;

  @Option(names = "--filters", paramLabel = "LIST",
      description = "Filter indices: ranges and single indices, e.g. 0-63 or 0,3,10-12 (default: all filters).")
  @Nullable String filters;

  @Option(names = "--size", paramLabel = "N",
      description = "Image size for built-ins and models with an open input size (default 64 for built-ins); "
          + "models with a fixed input size use their own.")
  @Nullable Integer size;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The grid image (PNG, or JPEG by extension).")
  Path out;

  @Option(names = "--steps", defaultValue = "40", description = "Gradient-ascent steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--step-size", defaultValue = "1.0", description = "Step size (default ${DEFAULT-VALUE}).")
  double stepSize;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the start noise and jitter (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--start-image", paramLabel = "FILE.npy", description = "Start image [H,W,C] or [1,H,W,C] instead of noise.")
  @Nullable Path startImage;

  @Option(names = "--margin", defaultValue = "5", description = "Pixels between tiles (default ${DEFAULT-VALUE}).")
  int margin;

  @Option(names = "--batch", defaultValue = "0", paramLabel = "N",
      description = "Filters per batch: 0 = whole layer within the memory budget (default), 1 = one at a time.")
  int batch;

  @Option(names = "--readable", description = "Regularized preset for photo-trained models (jitter, TV, L2, blur, octaves, "
      + "epsilon 1e-12); the options below override it.")
  boolean readable;

  @Option(names = "--jitter", paramLabel = "PX", description = "Random shift before each step, in pixels.")
  @Nullable Integer jitter;

  @Option(names = "--tv", paramLabel = "W", description = "Total-variation penalty weight.")
  @Nullable Double tv;

  @Option(names = "--l2", paramLabel = "W", description = "L2 penalty weight (toward the start gray).")
  @Nullable Double l2;

  @Option(names = "--blur", paramLabel = "SIGMA", description = "Gaussian blur of the gradient, in pixels.")
  @Nullable Double blur;

  @Option(names = "--octaves", paramLabel = "N", description = "Number of scales (multi-scale ascent).")
  @Nullable Integer octaves;

  @Option(names = "--octave-scale", paramLabel = "S", description = "Size ratio between octaves (default 1.4).")
  @Nullable Double octaveScale;

  @Option(names = "--epsilon", paramLabel = "E",
      description = "The 1e-5 of the gradient normalization; use 1e-12 for models that rescale their input (x/255).")
  @Nullable Double epsilon;

  @Option(names = "--pre-activation", description = "Maximize the filter before its activation (ReLU) instead of after.")
  boolean preActivation;

  @Mixin
  TimeoutOption timeout;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    FilterOptions options = options();
    if (margin < 0) {
      throw new ParameterException(spec.commandLine(), "--margin must be 0 or more, got " + margin);
    }
    if (model.isBuiltIn()) {
      model.noTop = true; // the classifier fixes the input at 224x224 and has no 4-D layers to show
      if (model.inputSize == null) {
        model.inputSize = size != null ? size : 64;
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    try (KerasModel m = model.load(false)) {
      FilterVisualizer vis = FilterVisualizer.of(m, layer);
      long[] in = m.inputShape();
      boolean fixed = in[1] > 0 && in[2] > 0;
      if (fixed && size != null && (size != in[1] || size != in[2])) {
        err.println("note: model input is fixed at " + in[1] + "x" + in[2] + "; --size " + size + " ignored");
      }
      if (!fixed && size != null) {
        options = options.withSize(size);
      }
      List<Integer> chosen = filters == null ? allFilters(vis.filterCount()) : IndexList.parse("--filters", filters);
      RenderProgress bar = new RenderProgress(err, 1, "filters", "loss");
      List<FilterResult> results;
      try {
        results = vis.run(chosen, options.withCancellation(timeout.start()), bar.render(0, ""));
      } finally {
        bar.finish();
      }
      Images.write(FilterGrid.of(results, margin), out);
      double first = results.stream().mapToDouble(r -> r.losses().get(0)).average().orElse(0);
      double last = results.stream().mapToDouble(FilterResult::finalLoss).average().orElse(0);
      PrintWriter o = spec.commandLine().getOut();
      long[] shape = results.get(0).input().shape();
      o.printf(Locale.ROOT, "wrote %s: %d filters of %s, %dx%d, %d steps; mean loss %.6g -> %.6g%n", out, results.size(),
          vis.layer(), shape[0], shape[1], options.totalSteps(), first, last);
      o.flush();
    }
    return 0;
  }

  private FilterOptions options() {
    FilterOptions o = FilterOptions.defaults();
    if (readable) {
      o = o.readable();
    }
    o = o.withSteps(steps).withStepSize(stepSize).withSeed(seed).withBatchSize(batch).withPreActivation(preActivation);
    if (jitter != null) {
      o = o.withJitter(jitter);
    }
    if (tv != null) {
      o = o.withTotalVariation(tv);
    }
    if (l2 != null) {
      o = o.withL2(l2);
    }
    if (blur != null) {
      o = o.withBlurSigma(blur);
    }
    if (octaves != null || octaveScale != null) {
      o = o.withOctaves(octaves != null ? octaves : o.octaves(), octaveScale != null ? octaveScale : o.octaveScale());
    }
    if (epsilon != null) {
      o = o.withEpsilon(epsilon);
    }
    if (startImage != null) {
      o = o.withStartImage(Npy.read(startImage));
    }
    return o;
  }

  private static List<Integer> allFilters(int count) {
    List<Integer> all = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      all.add(i);
    }
    return all;
  }
}
