package dev.convlens.visualize;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.KerasCache;
import dev.convlens.bridge.applications.WeightFile;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.ColorMode;
import dev.convlens.bridge.image.ImageNetLabels;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.ModelCard;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.visualize.activations.Activations;
import dev.convlens.visualize.activations.LayerActivations;
import dev.convlens.visualize.cam.AttributionMethod;
import dev.convlens.visualize.cam.AttributionOptions;
import dev.convlens.visualize.cam.Attributor;
import dev.convlens.visualize.cam.CamExplainer;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.cam.Heatmap;
import dev.convlens.visualize.cam.Overlay;
import dev.convlens.visualize.cam.Target;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * An image classifier that knows how to be fed and what its classes are called: the one object a
 * service holds. It owns its model; load it once, call it from any number of threads, close it.
 *
 * <pre>{@code
 * try (ImageClassifier cats = ImageClassifier.load(Path.of("finetuned/model.h5"))) {
 *   InputImage image = InputImage.of(requestBytes);
 *   List<Prediction> top5 = cats.predict(image);
 *   byte[] png = cats.explain(image).overlayPng();
 * }
 * }</pre>
 *
 * <p>Cost: {@link #predict} and {@link #explain} with a gradient method are one graph run each
 * (milliseconds for small convnets, about 0.5 s for VGG16 on 2 cores); Score-CAM runs the model
 * once per channel of the target layer, in batches. The gradient ops of the default layer are
 * built when the classifier is created; explaining another layer or method for the first time
 * builds its ops then, which briefly holds back the runs of other threads. A call stops before
 * its next graph run when its thread is interrupted ({@code Future.cancel(true)}, Kotlin's
 * {@code runInterruptible}) or its {@link ExplainOptions#withCancellation} deadline passes; a run
 * that has started is not cut short. No async variants: the calls block and are thread-safe, so
 * the caller's own executor or coroutine dispatcher decides where they run.
 */
public final class ImageClassifier implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ImageClassifier.class);

  private final KerasModel model;
  private final String name;
  private final Preprocessing preprocessing;
  private final ClassNames classNames;
  private final int topK;
  private final int height;
  private final int width;
  private final ColorMode colorMode;
  private final List<String> camLayers;
  private final Map<CamKey, Attributor> explainers = new ConcurrentHashMap<>();

  private record CamKey(AttributionMethod method, String layer) {}

  private ImageClassifier(KerasModel model, String name, Preprocessing preprocessing, ClassNames names, int topK) {
    this.model = model;
    this.name = name;
    this.preprocessing = preprocessing;
    this.classNames = names;
    this.topK = topK;
    long[] in = model.inputShape();
    if (in.length != 4) {
      throw new InvalidInputException("model '" + name + "' takes input of shape " + shape(in)
          + "; an image classifier takes images (batch, height, width, channels)");
    }
    this.height = (int) in[1];
    this.width = (int) in[2];
    this.colorMode = switch ((int) in[3]) {
      case 1 -> ColorMode.GRAYSCALE;
      case 3 -> ColorMode.RGB;
      case 4 -> ColorMode.RGBA;
      default -> throw new InvalidInputException("model '" + name + "' takes images with " + in[3]
          + " channels; an image classifier takes 1 (grayscale), 3 (RGB) or 4 (RGBA)");
    };
    int outputs = outputCount(model);
    if (names.size() != outputs && !(outputs == 1 && names.size() == 2)) {
      throw new InvalidInputException("model '" + name + "' has " + outputs + " outputs but " + names.size()
          + " class names were given: " + abbreviated(names.labels()));
    }
    this.camLayers = explainable(model) ? CamExplainer.layers(model) : List.of();
    if (!camLayers.isEmpty()) {
      attributor(CamMethod.GRAD_CAM_BOOK, null); // the default explainer's ops, built before serving
    }
  }

  /** A model file or SavedModel directory, with its recorded preprocessing and class names. */
  public static ImageClassifier load(Path model) {
    return load(model, ClassifierOptions.defaults());
  }

  /**
   * A Keras model file ({@code .h5}, {@code .keras}, model JSON) or SavedModel directory.
   *
   * @throws InvalidInputException when no preprocessing is given and none was recorded beside the
   *     model, or the class names do not fit its output
   */
  public static ImageClassifier load(Path model, ClassifierOptions options) {
    InvalidInputException.requireNonNull(model, "model");
    InvalidInputException.requireNonNull(options, "options");
    Optional<ModelCard> card = ModelCard.beside(model);
    Preprocessing pre = options.preprocessing() != null ? options.preprocessing()
        : card.map(ModelCard::preprocessing).orElseThrow(() -> new InvalidInputException(model + ": no "
            + ModelCard.FILE_NAME + " beside the model says how its images were preprocessed; give the mode with"
            + " ClassifierOptions.withPreprocessing (NONE when the model rescales its input itself)"));
    KerasModel m = KerasModel.load(model, options.load());
    try {
      ClassNames names = options.classNames() != null ? options.classNames()
          : labelsBeside(model).or(() -> card.flatMap(ModelCard::classNames))
              .orElseGet(() -> defaultNames(outputCount(m)));
      return new ImageClassifier(m, m.name(), pre, names, options.topK());
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** A built-in ImageNet classifier with its official weights from the Keras cache. */
  public static ImageClassifier builtIn(BuiltIn model) {
    return builtIn(model, ClassifierOptions.defaults());
  }

  /**
   * A built-in ImageNet classifier: weights from {@link BuiltIn#withWeights}, else the Keras cache
   * (fetched there first with {@code options.withDownload(true)}), else the random weights of
   * {@code options.load()} if it asks for them; its own preprocessing unless the options give one.
   *
   * @throws ConvlensException when the weights are in none of those places
   */
  public static ImageClassifier builtIn(BuiltIn model, ClassifierOptions options) {
    InvalidInputException.requireNonNull(model, "model");
    InvalidInputException.requireNonNull(options, "options");
    LoadOptions load = options.load();
    Path weights = model.weights() != null ? model.weights() : cachedWeights(model, options.download());
    if (weights != null) {
      load = load.withWeights(weights);
    } else if (load.randomWeightsSeed() == null) {
      KerasCache cache = KerasCache.standard();
      throw new ConvlensException("no weights for " + model.name() + ": put "
          + model.officialWeights().map(WeightFile::fileName).orElse("its weight file") + " in the Keras cache ("
          + cache.searchDirectories() + "), give a file with BuiltIn.withWeights, or allow the download with"
          + " ClassifierOptions.withDownload(true)");
    }
    Preprocessing pre = options.preprocessing() != null ? options.preprocessing() : model.preprocessing();
    KerasModel m = KerasModel.fromConfig(model.config(), load);
    try {
      ClassNames names = options.classNames() != null ? options.classNames() : imageNetNames(options.download());
      return new ImageClassifier(m, model.name(), pre, names, options.topK());
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  public String name() {
    return name;
  }

  /** The input height images are resized to, or -1 when the model takes any (images keep their size). */
  public int height() {
    return height;
  }

  /** The input width images are resized to, or -1 when the model takes any. */
  public int width() {
    return width;
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  public ClassNames classNames() {
    return classNames;
  }

  /** The model, for what this class does not offer (summaries, other layers' outputs, export). */
  public KerasModel model() {
    return model;
  }

  /** The layers {@link ExplainOptions#withLayer} is best given, in build order; the last is the default. */
  public List<String> camLayers() {
    return camLayers;
  }

  /** The convolution and pooling layers, in build order: what {@link #activations} is usually asked for. */
  public List<String> activationLayers() {
    return Activations.convAndPoolLayers(model);
  }

  /** The top {@code topK} classes (the options' count, 5 by default), best first. */
  public List<Prediction> predict(InputImage image) {
    return predict(image, topK);
  }

  /** The top {@code top} classes, best first. */
  public List<Prediction> predict(InputImage image, int top) {
    InvalidInputException.requireNonNull(image, "image");
    if (top < 1) {
      throw new InvalidInputException("top must be at least 1, got " + top);
    }
    return classNames.decodePredictions(model.predict(input(image)), top).get(0);
  }

  /** The book's Grad-CAM of the top class on the last convolutional map. */
  public Explanation explain(InputImage image) {
    return explain(image, ExplainOptions.defaults());
  }

  /**
   * A class activation map (or an input-space attribution: {@link ExplainOptions#withMethod}) drawn over the image.
   *
   * @throws InvalidInputException naming an unknown class, method or layer
   */
  public Explanation explain(InputImage image, ExplainOptions options) {
    InvalidInputException.requireNonNull(image, "image");
    InvalidInputException.requireNonNull(options, "options");
    int target = targetClass(options);
    Attributor cam = attributor(options.method(), options.layer()).withCancellation(options.cancellation());
    Heatmap h = cam.explain(input(image), List.of(target < 0 ? Target.topClass() : Target.classIndex(target))).get(0);
    int c = h.classIndex();
    Prediction p = new Prediction(c, classNames.id(c), classNames.label(c), h.probability());
    return new Explanation(p, cam.layer(), h, overlay(image, h, options));
  }

  /**
   * The images as the model takes them (resized as Keras' {@code load_img}, preprocessed), stacked
   * into one batch: for {@code model().predict}, {@link #attributor} and other batch calls.
   *
   * @throws InvalidInputException when the model takes any size and the images differ in size
   */
  public FloatTensor inputs(List<InputImage> images) {
    InvalidInputException.requireNonNull(images, "images");
    List<FloatTensor> each = new ArrayList<>(images.size());
    for (InputImage image : images) {
      each.add(input(InvalidInputException.requireNonNull(image, "image")));
    }
    return FloatTensor.stack(each);
  }

  /**
   * The explainer of {@code method} on {@code layer} (null: the last convolutional map; ignored by
   * input-space methods), built on first use and kept: its {@code explain} takes a batch with a
   * target per image. Thread-safe, like the classifier.
   *
   * @throws InvalidInputException when the model cannot be explained or has no such layer
   */
  public Attributor attributor(AttributionMethod method, @Nullable String layer) {
    InvalidInputException.requireNonNull(method, "method");
    if (camLayers.isEmpty()) {
      throw new InvalidInputException("model '" + name + "' cannot be explained: "
          + (explainable(model) ? "it has no layer with a spatial map" : "it was loaded for predict only"));
    }
    String path = !(method instanceof CamMethod) ? Attributor.INPUT
        : layer == null ? camLayers.get(camLayers.size() - 1) : model.layer(layer).path();
    return explainers.computeIfAbsent(new CamKey(method, path), k -> Attributor.of(model, k.method(),
        CamOptions.defaults().withLayer(k.method() instanceof CamMethod ? k.layer() : null), AttributionOptions.defaults()));
  }

  /** {@code heatmap} drawn over {@code image} at the image's own size, with the options' colormap and alpha. */
  public BufferedImage overlay(InputImage image, Heatmap heatmap, ExplainOptions options) {
    InvalidInputException.requireNonNull(image, "image");
    InvalidInputException.requireNonNull(heatmap, "heatmap");
    InvalidInputException.requireNonNull(options, "options");
    FloatTensor photo = KerasImages.fromBufferedImage(image.decoded(), ColorMode.RGB);
    return Overlay.superimpose(photo, heatmap, options.colormap(), options.alpha());
  }

  /** The outputs of {@code layers} (names or nested paths) for the image. */
  public LayerActivations activations(InputImage image, Collection<String> layers) {
    InvalidInputException.requireNonNull(image, "image");
    InvalidInputException.requireNonNull(layers, "layers");
    return Activations.fetch(model, input(image), layers);
  }

  /** Frees the model; calls after it throw {@code ModelClosedException}. */
  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "ImageClassifier[" + name + ", " + (height < 0 ? "any size" : height + "x" + width) + ", "
        + preprocessing.name().toLowerCase(java.util.Locale.ROOT) + ", " + classNames.size() + " classes]";
  }

  /** The image as the model takes it: resized as Keras' {@code load_img} does, then preprocessed. */
  private FloatTensor input(InputImage image) {
    BufferedImage decoded = image.decoded();
    FloatTensor pixels = height > 0 && width > 0
        ? KerasImages.fromBufferedImage(decoded, height, width, colorMode)
        : KerasImages.fromBufferedImage(decoded, colorMode);
    return preprocessing.apply(pixels);
  }

  private int targetClass(ExplainOptions options) {
    if (options.className() != null) {
      int i = classNames.indexOf(options.className());
      if (i < 0) {
        throw new InvalidInputException("model '" + name + "' has no class '" + options.className() + "'; its classes: "
            + abbreviated(classNames.labels()));
      }
      return i;
    }
    if (options.classIndex() >= classNames.size()) {
      throw new InvalidInputException("class index " + options.classIndex() + " is outside 0.."
          + (classNames.size() - 1) + " of model '" + name + "'");
    }
    return options.classIndex();
  }

  private static boolean explainable(KerasModel model) {
    try {
      model.layers();
      return true;
    } catch (ConvlensException predictOnly) {
      return false;
    }
  }

  private static int outputCount(KerasModel model) {
    long[] out = model.outputShape();
    if (out.length != 2) {
      throw new InvalidInputException("model '" + model.name() + "' has output shape " + shape(out)
          + "; a classifier outputs (batch, classes)");
    }
    return (int) out[1];
  }

  /** {@code labels.txt} or {@code imagenet_class_index.json} in the model's directory or the folder holding it. */
  private static Optional<ClassNames> labelsBeside(Path model) {
    Path abs = model.toAbsolutePath().normalize();
    List<Path> dirs = new ArrayList<>();
    if (Files.isDirectory(abs)) {
      dirs.add(abs);
    }
    if (abs.getParent() != null) {
      dirs.add(abs.getParent());
    }
    for (Path dir : dirs) {
      for (String file : List.of("labels.txt", ImageNetLabels.FILE_NAME)) {
        if (Files.isRegularFile(dir.resolve(file))) {
          return Optional.of(ClassNames.read(dir.resolve(file)));
        }
      }
    }
    return Optional.empty();
  }

  /** ImageNet's names for 1000 outputs when the Keras cache has them, else numbered classes. */
  private static ClassNames defaultNames(int outputs) {
    if (outputs == 1000) {
      try {
        return ImageNetLabels.fromKerasCache();
      } catch (ConvlensException notCached) {
        LOG.warn("1000 outputs but no {} in the Keras cache: classes are numbered", ImageNetLabels.FILE_NAME);
      }
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < Math.max(outputs, 2); i++) {
      names.add("class_" + i);
    }
    return ClassNames.of(names);
  }

  private static ClassNames imageNetNames(boolean download) {
    if (download) {
      return ImageNetLabels.load(KerasCache.standard().resolve(WeightFile.IMAGENET_CLASS_INDEX, true));
    }
    return defaultNames(1000);
  }

  private static @Nullable Path cachedWeights(BuiltIn model, boolean download) {
    Optional<WeightFile> official = model.officialWeights();
    if (official.isEmpty()) {
      return null;
    }
    KerasCache cache = KerasCache.standard();
    if (cache.find(official.get().fileName()).isPresent() || download) {
      return cache.resolve(official.get(), download);
    }
    return null;
  }

  private static String shape(long[] shape) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      b.append(i > 0 ? ", " : "").append(shape[i] < 0 ? "None" : Long.toString(shape[i]));
    }
    return b.append(")").toString();
  }

  private static String abbreviated(List<String> labels) {
    return labels.size() <= 10 ? labels.toString()
        : labels.subList(0, 10) + " and " + (labels.size() - 10) + " more";
  }
}
