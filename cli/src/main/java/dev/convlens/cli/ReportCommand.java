package dev.convlens.cli;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.ColorMode;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.cli.demo.DemoModel;
import dev.convlens.cli.demo.Shapes;
import dev.convlens.cli.report.Report;
import dev.convlens.cli.report.ReportOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Explain a model on one image in one HTML page: summary, top-3 predictions, Grad-CAM for each, "
        + "activation grids with the blank-channel table, filter patterns from shallow to deep layers, and a feature "
        + "visualization of a middle conv layer (readable preset beside pixel space, with quality numbers).",
        "Without arguments: the embedded demo model (saved_models/shapes) on a generated image, into convlens-report/.",
        "Example: convlens report --model vgg16 --image elephant.jpg --out elephant-report"})
final class ReportCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "<file|dir|vgg16|mobilenet>",
      description = "A Keras model file, a SavedModel directory, or vgg16 / mobilenet (default: the demo model "
          + "saved_models/shapes).")
  @Nullable String model;

  @Option(names = "--weights", paramLabel = "FILE", description = "Keras HDF5 weights (model JSON or built-in; default: the Keras cache).")
  @Nullable Path weights;

  @Option(names = "--input-size", paramLabel = "N", description = "Input height and width (built-ins, or models with open sizes).")
  @Nullable Integer inputSize;

  @Option(names = "--alpha", paramLabel = "A", description = "MobileNet width multiplier (default 1.0).")
  @Nullable Double alpha;

  @Option(names = "--download", description = "Built-ins: fetch missing official weights into the Keras cache.")
  boolean download;

  @Option(names = "--random-weights", paramLabel = "SEED", description = "Keras-default random weights where none are stored.")
  @Nullable Long randomWeights;

  @Mixin
  InputOptions inputs;

  @Option(names = "--image", paramLabel = "FILE",
      description = "The image (default with the demo model: a generated one, see --sample).")
  @Nullable Path image;

  @Option(names = "--sample", defaultValue = "3", paramLabel = "I",
      description = "Demo model without --image: which generated held-out image (default ${DEFAULT-VALUE}).")
  int sample;

  @Option(names = "--out", defaultValue = "convlens-report", paramLabel = "DIR",
      description = "Folder for index.html and its images (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--layer", paramLabel = "L", description = "Grad-CAM layer (default: the last 4-D layer before the classifier).")
  @Nullable String layer;

  @Option(names = "--max-channels", defaultValue = "0", paramLabel = "N",
      description = "Draw at most N channels per layer (default: all).")
  int maxChannels;

  @Option(names = "--filter-layers", defaultValue = "3", paramLabel = "N",
      description = "Conv layers whose filters are drawn, first to last (default ${DEFAULT-VALUE}).")
  int filterLayers;

  @Option(names = "--filters", defaultValue = "16", paramLabel = "N", description = "Filters per layer (default ${DEFAULT-VALUE}).")
  int filters;

  @Option(names = "--filter-steps", defaultValue = "40", paramLabel = "N",
      description = "Gradient-ascent steps per octave (default ${DEFAULT-VALUE}).")
  int filterSteps;

  @Option(names = "--feature-steps", defaultValue = "64", paramLabel = "N",
      description = "Adam steps of the feature visualization of a middle conv layer (default ${DEFAULT-VALUE}).")
  int featureSteps;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** Demo shapes the demo model's feature visualizations are measured against. */
  static final int REFERENCE_SHAPES = 64;

  /**
   * The demo model: under the convlens folder (system property {@code convlens.home}, else the
   * launcher's {@code CONVLENS_HOME}), else under the working directory.
   */
  static Path demoModel() {
    return DemoModel.installed();
  }

  @Override
  public Integer call() throws Exception {
    ReportOptions options;
    try {
      options = ReportOptions.defaults().withCamLayer(layer).withMaxChannels(maxChannels).withFilters(filterLayers, filters, filterSteps)
          .withFeatureSteps(featureSteps);
    } catch (InvalidInputException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    boolean demo = model == null;
    if (demo && image == null && sample < 0) {
      throw new ParameterException(spec.commandLine(), "--sample must be 0 or more, got " + sample);
    }
    if (!demo && image == null) {
      throw new ParameterException(spec.commandLine(), "--image FILE is needed with --model (only the demo model has "
          + "generated images)");
    }
    ModelOptions m = new ModelOptions();
    m.model = demo ? demoModel().toString() : Objects.requireNonNull(model);
    m.weights = weights;
    m.inputSize = inputSize;
    m.alpha = alpha;
    m.download = download;
    m.randomWeights = randomWeights;
    if (demo && !Files.isDirectory(Path.of(m.model))) {
      throw new InvalidInputException("the demo model " + m.model + " is missing: run from the convlens folder, "
          + "or rebuild it with `convlens demo-model`");
    }
    PrintWriter err = spec.commandLine().getErr();
    long start = System.nanoTime();
    err.println("loading " + m.model);
    err.flush();
    try (KerasModel k = m.load(false)) {
      Preprocessing mode = inputs.preprocessing(m);
      long[] in = k.inputShape();
      if (in.length != 4 || in[1] < 1 || in[2] < 1 || in[3] != 3) {
        throw new InvalidInputException("report needs an RGB model with a fixed input size, got "
            + java.util.Arrays.toString(in) + (in.length == 4 && in[3] == 3 ? "; pass --input-size" : ""));
      }
      FloatTensor photo;
      FloatTensor display;
      List<FloatTensor> reference;
      String what;
      if (image != null) {
        photo = KerasImages.loadImg(image, (int) in[1], (int) in[2], ColorMode.RGB);
        display = displayImage(image);
        reference = List.of(photo);
        what = image.getFileName().toString();
      } else {
        Shapes.Sample s = Shapes.sample(DemoModel.HELD_OUT_SEED, sample);
        if (in[1] != Shapes.SIZE || in[2] != Shapes.SIZE) {
          throw new InvalidInputException("generated images are 64x64; model " + m.model + " takes " + in[1] + "x" + in[2]);
        }
        photo = s.image();
        display = photo;
        // held-out shapes (never trained on), the dataset the demo model's channels are measured against
        reference = IntStream.range(0, REFERENCE_SHAPES)
            .mapToObj(i -> Shapes.sample(DemoModel.HELD_OUT_SEED, 10_000 + i).image()).toList();
        what = "generated " + s.className() + " #" + sample;
      }
      int outputs = InputOptions.outputCount(k);
      ClassNames names = inputs.classNames(m, outputs);
      Path index = Report.write(k, photo, display, reference, mode, names, m.model + " on " + what, options, out, msg -> {
        err.print(String.format(Locale.ROOT, "\r%-72s", msg)); // padded: no terminal escapes in CI logs
        err.flush();
      });
      err.println();
      PrintWriter o = spec.commandLine().getOut();
      o.printf(Locale.ROOT, "report -> %s (%.1f s)%n", index, (System.nanoTime() - start) / 1e9);
      o.flush();
    }
    return 0;
  }

  /** The photo for the Grad-CAM overlays: its own size, at most 480 pixels on the long side. */
  private static FloatTensor displayImage(Path file) {
    FloatTensor full = KerasImages.loadImg(file, ColorMode.RGB);
    long h = full.dim(0);
    long w = full.dim(1);
    double scale = Math.min(1.0, 480.0 / Math.max(h, w));
    if (scale == 1.0) {
      return full;
    }
    return KerasImages.loadImg(file, (int) Math.max(1, Math.round(h * scale)), (int) Math.max(1, Math.round(w * scale)),
        ColorMode.RGB);
  }
}
