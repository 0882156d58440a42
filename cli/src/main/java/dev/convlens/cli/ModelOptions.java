package dev.convlens.cli;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.SessionOptions;
import dev.convlens.bridge.applications.KerasCache;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.bridge.applications.WeightFile;
import dev.convlens.bridge.image.Preprocessing;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The model options every subcommand shares: a file, a directory, or a built-in architecture. */
final class ModelOptions {
  @Option(names = "--model", required = true, paramLabel = "<file|dir|vgg16|mobilenet>",
      description = "A Keras model file (.h5, .keras, model JSON), a SavedModel directory, or vgg16 / mobilenet.")
  String model;

  @Option(names = "--weights", paramLabel = "FILE",
      description = "Keras HDF5 weights (for a model JSON or a built-in architecture; default: the Keras cache).")
  @Nullable Path weights;

  @Option(names = "--no-top", description = "Built-in architectures: without the classifier.")
  boolean noTop;

  @Option(names = "--input-size", paramLabel = "N", description = "Input height and width (built-ins, or models with open sizes).")
  @Nullable Integer inputSize;

  @Option(names = "--alpha", paramLabel = "A", description = "MobileNet width multiplier: 0.25, 0.5, 0.75 or 1.0 (default 1.0).")
  @Nullable Double alpha;

  @Option(names = "--download", description = "Built-ins: fetch missing official weights into the Keras cache (md5-checked).")
  boolean download;

  @Option(names = "--random-weights", paramLabel = "SEED",
      description = "Use Keras-default random weights where none are stored (benchmarks, architecture checks).")
  @Nullable Long randomWeights;

  /** The session's thread pools and graph optimizations (benchmarks set them; no option of its own). */
  SessionOptions session = SessionOptions.defaults();

  /** What {@link #load(boolean)} found out about preprocessing. */
  Preprocessing preprocessing = Preprocessing.NONE;

  /**
   * {@code labels.txt} (one class name per line) in a SavedModel directory, as `convlens demo-model`
   * writes it, or null.
   */
  @Nullable Path labelsBeside() {
    Path dir = isBuiltIn() ? null : Path.of(model);
    Path file = dir != null && java.nio.file.Files.isDirectory(dir) ? dir.resolve("labels.txt") : null;
    return file != null && java.nio.file.Files.isRegularFile(file) ? file : null;
  }

  boolean isBuiltIn() {
    String m = model.toLowerCase(Locale.ROOT);
    return m.equals("vgg16") || m.equals("mobilenet");
  }

  /**
   * Loads the model. With {@code weightsOptional} (summaries), a built-in architecture without
   * weights gets random ones instead of failing.
   */
  KerasModel load(boolean weightsOptional) {
    LoadOptions options = LoadOptions.defaults().withSession(session);
    if (randomWeights != null) {
      options = options.withRandomWeights(randomWeights);
    }
    if (!isBuiltIn()) {
      if (weights != null) {
        options = options.withWeights(weights);
      }
      if (inputSize != null) {
        options = options.withInputShape(inputSize, inputSize, 3);
      }
      return KerasModel.load(Path.of(model), options);
    }
    boolean vgg = model.equalsIgnoreCase("vgg16");
    var config = vgg ? vgg16().config() : mobileNet().config();
    Optional<WeightFile> official = vgg ? vgg16().weightFile() : mobileNet().weightFile();
    preprocessing = vgg ? Preprocessing.CAFFE : Preprocessing.TF;
    Path file = weights;
    if (file == null && official.isPresent()) {
      KerasCache cache = KerasCache.standard();
      Optional<Path> cached = cache.find(official.get().fileName());
      if (cached.isPresent() || download) {
        file = cache.resolve(official.get(), download);
      }
    }
    if (file != null) {
      options = options.withWeights(file);
    } else if (randomWeights == null) {
      if (!weightsOptional) {
        throw new ConvlensException("no weights for " + model + ": pass --weights FILE, put "
            + official.map(WeightFile::fileName).orElse("the weight file") + " in the Keras cache ("
            + KerasCache.standard().searchDirectories() + "), or add --download");
      }
      options = options.withRandomWeights(0);
    }
    return KerasModel.fromConfig(config, options);
  }

  private Vgg16.Options vgg16() {
    Vgg16.Options o = Vgg16.Options.defaults().withIncludeTop(!noTop);
    if (inputSize != null) {
      o = o.withInputSize(inputSize, inputSize);
    }
    if (weights != null || randomWeights != null) {
      o = o.withImagenetWeights(false);
    }
    return o;
  }

  private MobileNet.Options mobileNet() {
    MobileNet.Options o = MobileNet.Options.defaults().withIncludeTop(!noTop);
    if (alpha != null) {
      o = o.withAlpha(alpha);
    }
    if (inputSize != null) {
      o = o.withInputSize(inputSize);
    }
    if (randomWeights != null) {
      o = o.withImagenetWeights(false);
    }
    return o;
  }
}
