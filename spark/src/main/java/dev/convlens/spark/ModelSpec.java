package dev.convlens.spark;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.SessionOptions;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.visualize.BuiltIn;
import dev.convlens.visualize.ClassifierOptions;
import dev.convlens.visualize.ImageClassifier;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkFiles;
import org.jspecify.annotations.Nullable;

/**
 * Which model the executors load, and how: a small serializable value shipped with the job; each
 * executor loads the model it names once ({@code ExecutorModels}). Equal specs share one loaded
 * model. Immutable; start from {@link #file}, {@link #sparkFile} or {@link #builtIn}.
 *
 * <p>Paths are read on the executors: put the files on storage every node sees at the same path,
 * or ship them with {@code spark-submit --files} (or {@code SparkContext.addFile}) and name them
 * by file name with {@link #shippedFiles} (or {@link #sparkFile}): then the model, weights and labels
 * files are looked up among the shipped files.
 *
 * @param source whether {@code location} is a file or a built-in's name
 * @param location a model file or SavedModel directory, or a built-in's name
 * @param shipped whether the file names are of files shipped with {@code --files}
 * @param weights a Keras HDF5 weight file for a built-in, or null for the Keras cache
 * @param preprocessing the Keras {@code preprocess_input} mode, or null for the model's own (as
 *     {@code ImageClassifier.load} finds it)
 * @param labels a class-names file ({@code imagenet_class_index.json} or one name per line), or
 *     null for the model's own
 * @param randomWeightsSeed random weights from this seed instead of trained ones (benchmarks), or null
 */
public record ModelSpec(Source source, String location, boolean shipped, @Nullable String weights,
    @Nullable Preprocessing preprocessing, @Nullable String labels, @Nullable Long randomWeightsSeed) implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern MOBILENET = Pattern.compile("mobilenet(?:_([0-9.]+)_([0-9]+))?");

  /** Where {@link #location} points. */
  public enum Source {
    /** A model file or SavedModel directory. */
    FILE,
    /** {@code vgg16}, {@code mobilenet} or {@code mobilenet_<alpha>_<size>} (e.g. {@code mobilenet_0.25_128}). */
    BUILT_IN
  }

  public ModelSpec {
    InvalidInputException.requireNonNull(source, "source");
    InvalidInputException.requireNonNull(location, "location");
    if (source == Source.BUILT_IN) {
      builtIn(location, null);
    }
  }

  /** A Keras model file ({@code .h5}, {@code .keras}) or SavedModel directory at the same path on every executor. */
  public static ModelSpec file(String path) {
    return new ModelSpec(Source.FILE, path, false, null, null, null, null);
  }

  /** A model file shipped to the executors with {@code spark-submit --files} or {@code SparkContext.addFile}. */
  public static ModelSpec sparkFile(String name) {
    return file(name).shippedFiles();
  }

  /** A built-in ImageNet classifier: {@code vgg16}, {@code mobilenet}, {@code mobilenet_0.25_128}. */
  public static ModelSpec builtIn(String name) {
    return new ModelSpec(Source.BUILT_IN, name, false, null, null, null, null);
  }

  /** The model, weights and labels files are named by file name and shipped with {@code --files} or {@code SparkContext.addFile}. */
  public ModelSpec shippedFiles() {
    return new ModelSpec(source, location, true, weights, preprocessing, labels, randomWeightsSeed);
  }

  public ModelSpec withWeights(String file) {
    return new ModelSpec(source, location, shipped, file, preprocessing, labels, randomWeightsSeed);
  }

  public ModelSpec withPreprocessing(Preprocessing mode) {
    return new ModelSpec(source, location, shipped, weights, mode, labels, randomWeightsSeed);
  }

  public ModelSpec withLabels(String file) {
    return new ModelSpec(source, location, shipped, weights, preprocessing, file, randomWeightsSeed);
  }

  public ModelSpec withRandomWeights(long seed) {
    return new ModelSpec(source, location, shipped, weights, preprocessing, labels, seed);
  }

  /** Loads the classifier this spec names, its session sized by {@code session}. */
  ImageClassifier load(SessionOptions session) {
    LoadOptions load = LoadOptions.defaults().withSession(session);
    if (randomWeightsSeed != null) {
      load = load.withRandomWeights(randomWeightsSeed);
    }
    ClassifierOptions options = ClassifierOptions.defaults().withLoad(load);
    if (preprocessing != null) {
      options = options.withPreprocessing(preprocessing);
    }
    if (labels != null) {
      options = options.withLabels(path(labels));
    }
    if (source == Source.BUILT_IN) {
      BuiltIn model = builtIn(location, weights == null ? null : path(weights));
      return ImageClassifier.builtIn(model, options);
    }
    return ImageClassifier.load(path(location), options);
  }

  /** Whether {@code name} is one {@link #builtIn} takes. */
  static boolean isBuiltInName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals("vgg16") || MOBILENET.matcher(n).matches();
  }

  private Path path(String file) {
    return shipped ? Path.of(SparkFiles.get(file)) : Path.of(file);
  }

  private static BuiltIn builtIn(String name, @Nullable Path weights) {
    String n = name.toLowerCase(Locale.ROOT);
    BuiltIn model;
    Matcher m = MOBILENET.matcher(n);
    if (n.equals("vgg16")) {
      model = BuiltIn.vgg16();
    } else if (m.matches()) {
      model = m.group(1) == null ? BuiltIn.mobileNet()
          : BuiltIn.mobileNet(Double.parseDouble(m.group(1)), Integer.parseInt(m.group(2)));
    } else {
      throw new InvalidInputException("unknown built-in model '" + name
          + "'; expected vgg16, mobilenet or mobilenet_<alpha>_<size> (e.g. mobilenet_0.25_128)");
    }
    return weights == null ? model : model.withWeights(weights);
  }
}
