package dev.convlens.bridge.graph;

import static dev.convlens.bridge.LayerTrait.CONVOLUTIONAL;
import static dev.convlens.bridge.LayerTrait.CUSTOM;
import static dev.convlens.bridge.LayerTrait.DENSE;
import static dev.convlens.bridge.LayerTrait.DROPOUT;
import static dev.convlens.bridge.LayerTrait.GLOBAL_POOLING;
import static dev.convlens.bridge.LayerTrait.INPUT;
import static dev.convlens.bridge.LayerTrait.MERGE;
import static dev.convlens.bridge.LayerTrait.MODEL;
import static dev.convlens.bridge.LayerTrait.PASS_THROUGH;
import static dev.convlens.bridge.LayerTrait.POOLING;
import static dev.convlens.bridge.LayerTrait.SHAPE_ONLY;
import static dev.convlens.bridge.LayerTrait.TRAINING_ONLY;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.bridge.keras.ModelConfigParser;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The one place that maps a Keras layer class name to the code that rebuilds it and to what the
 * layer is ({@link LayerTrait}s), as Keras' own registry does. Users add classes with {@link
 * #register}; per load, {@code LoadOptions.withLayer} supplies a builder for one layer name or class.
 */
public final class LayerRegistry {
  /** A registered class: its builder (null for inputs and nested models, which the graph builder wires) and traits. */
  public record Entry(@Nullable LayerBuilder builder, Set<LayerTrait> traits) {
    public Entry {
      traits = traits.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(traits));
    }
  }

  /** One row of {@link #describe()}: a class, its traits, and what of its config is supported. */
  public record Description(String className, Set<LayerTrait> traits, String notes) {}

  private static final Map<String, Entry> BUILT_IN = builtIn();
  /** The limits of each built-in rebuild, as `convlens layers` prints them. */
  private static final Map<String, String> NOTES = notes();
  /** Classes registered by applications (custom layers), looked up before the built-ins. */
  private static final Map<String, Entry> REGISTERED = new ConcurrentHashMap<>();

  private LayerRegistry() {}

  private static Map<String, Entry> builtIn() {
    Map<String, Entry> m = new TreeMap<>();
    put(m, Convolutions.CONV2D, Set.of(CONVOLUTIONAL), "Conv2D", "Convolution2D");
    put(m, Convolutions.DEPTHWISE, Set.of(CONVOLUTIONAL), "DepthwiseConv2D");
    put(m, Convolutions.SEPARABLE, Set.of(CONVOLUTIONAL), "SeparableConv2D", "SeparableConvolution2D");
    put(m, new TransposedConvolution(), Set.of(CONVOLUTIONAL), "Conv2DTranspose", "Convolution2DTranspose");
    put(m, new Dense(), Set.of(DENSE), "Dense");
    put(m, Pooling.MAX, Set.of(POOLING), "MaxPooling2D", "MaxPool2D");
    put(m, Pooling.AVERAGE, Set.of(POOLING), "AveragePooling2D", "AvgPool2D");
    put(m, Pooling.GLOBAL_AVERAGE, Set.of(GLOBAL_POOLING), "GlobalAveragePooling2D", "GlobalAvgPool2D");
    put(m, Pooling.GLOBAL_MAX, Set.of(GLOBAL_POOLING), "GlobalMaxPooling2D", "GlobalMaxPool2D");
    put(m, Reshaping.ZERO_PADDING, Set.of(PASS_THROUGH), "ZeroPadding2D");
    put(m, Reshaping.CROPPING, Set.of(PASS_THROUGH), "Cropping2D");
    put(m, Resampling.UP_SAMPLING, Set.of(PASS_THROUGH), "UpSampling2D");
    put(m, Resampling.RESIZING, Set.of(PASS_THROUGH), "Resizing");
    put(m, Resampling.CENTER_CROP, Set.of(PASS_THROUGH), "CenterCrop");
    put(m, Reshaping.PERMUTE, Set.of(SHAPE_ONLY), "Permute");
    put(m, Reshaping.FLATTEN, Set.of(SHAPE_ONLY), "Flatten");
    put(m, Reshaping.RESHAPE, Set.of(PASS_THROUGH, SHAPE_ONLY), "Reshape");
    put(m, new BatchNormalization(), Set.of(), "BatchNormalization");
    put(m, Elementwise.ACTIVATION, Set.of(), "Activation");
    put(m, Elementwise.RELU, Set.of(), "ReLU");
    put(m, Elementwise.LEAKY_RELU, Set.of(), "LeakyReLU");
    put(m, Elementwise.ELU, Set.of(), "ELU");
    put(m, Elementwise.THRESHOLDED_RELU, Set.of(), "ThresholdedReLU");
    put(m, new ParametricRelu(), Set.of(), "PReLU");
    put(m, Elementwise.SOFTMAX, Set.of(), "Softmax");
    put(m, Elementwise.RESCALING, Set.of(), "Rescaling");
    put(m, new Normalization(), Set.of(), "Normalization");
    put(m, Merging.ADD, Set.of(MERGE), "Add");
    put(m, Merging.SUBTRACT, Set.of(MERGE), "Subtract");
    put(m, Merging.MULTIPLY, Set.of(MERGE), "Multiply");
    put(m, Merging.AVERAGE, Set.of(MERGE), "Average");
    put(m, Merging.MAXIMUM, Set.of(MERGE), "Maximum");
    put(m, Merging.MINIMUM, Set.of(MERGE), "Minimum");
    put(m, Merging.CONCATENATE, Set.of(MERGE), "Concatenate");
    // Regularisation and random augmentation: the identity at inference time.
    put(m, Elementwise.DROPOUT, Set.of(PASS_THROUGH, SHAPE_ONLY, TRAINING_ONLY, DROPOUT), "Dropout");
    put(m, Elementwise.DROPOUT, Set.of(PASS_THROUGH, SHAPE_ONLY, TRAINING_ONLY), "SpatialDropout1D",
        "SpatialDropout2D", "GaussianDropout", "AlphaDropout");
    put(m, Elementwise.NOISE, Set.of(PASS_THROUGH, SHAPE_ONLY, TRAINING_ONLY), "GaussianNoise");
    put(m, Elementwise.IDENTITY, Set.of(PASS_THROUGH, SHAPE_ONLY, TRAINING_ONLY), "ActivityRegularization",
        "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness",
        "RandomHeight", "RandomWidth");
    put(m, null, Set.of(INPUT, PASS_THROUGH), "InputLayer");
    put(m, null, Set.of(MODEL), ModelConfigParser.MODEL_CLASSES.toArray(String[]::new));
    return Collections.unmodifiableMap(m);
  }

  private static void put(Map<String, Entry> m, @Nullable LayerBuilder builder, Set<LayerTrait> traits, String... classes) {
    for (String c : classes) {
      m.put(c, new Entry(builder, traits));
    }
  }

  private static Map<String, String> notes() {
    Map<String, String> m = new TreeMap<>();
    String conv = "channels_last; padding valid/same; strides and dilation_rate (not both above 1); groups 1";
    note(m, conv, "Conv2D", "Convolution2D");
    note(m, conv + "; no dilation", "DepthwiseConv2D", "SeparableConv2D", "SeparableConvolution2D");
    note(m, "channels_last; padding valid/same; strides; output_padding; dilation_rate 1", "Conv2DTranspose",
        "Convolution2DTranspose");
    note(m, "on the last axis of any rank", "Dense");
    note(m, "channels_last; padding valid/same", "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D");
    note(m, "channels_last; keepdims", "GlobalAveragePooling2D", "GlobalAvgPool2D", "GlobalMaxPooling2D",
        "GlobalMaxPool2D");
    note(m, "interpolation nearest/bilinear (tf.image.resize, half-pixel centres)", "UpSampling2D");
    note(m, "interpolation bilinear/nearest/area; crop_to_aspect_ratio", "Resizing");
    note(m, "a central crop, or Keras' aspect-preserving upsize when the input is smaller", "CenterCrop");
    note(m, "adapted mean/variance from the weights or the config; axis; invert", "Normalization");
    note(m, "shared_axes", "PReLU");
    note(m, "any axis; the activation names Keras 2 and 3 define", "Activation");
    note(m, "the identity at inference", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianDropout",
        "AlphaDropout", "GaussianNoise", "ActivityRegularization", "RandomFlip", "RandomRotation", "RandomZoom",
        "RandomTranslation", "RandomContrast", "RandomBrightness", "RandomHeight", "RandomWidth");
    note(m, "Sequential and Functional containers, nested to any depth", ModelConfigParser.MODEL_CLASSES.toArray(
        String[]::new));
    return Collections.unmodifiableMap(m);
  }

  private static void note(Map<String, String> m, String text, String... classes) {
    for (String c : classes) {
      m.put(c, text);
    }
  }

  /**
   * Registers a Java rebuild of a Keras layer class (a custom layer, or {@code Lambda} for every
   * Lambda layer) for every later load in this JVM, as Keras' {@code register_keras_serializable}
   * does. Built-in classes cannot be replaced.
   */
  public static void register(String className, LayerBuilder builder, LayerTrait... traits) {
    if (className == null || className.isBlank() || builder == null) {
      throw new InvalidInputException("register needs a Keras class name and a builder, got '" + className + "' and "
          + builder);
    }
    if (BUILT_IN.containsKey(className)) {
      throw new InvalidInputException("'" + className + "' is a built-in layer class; it cannot be replaced");
    }
    EnumSet<LayerTrait> t = EnumSet.of(CUSTOM, traits);
    REGISTERED.put(className, new Entry(builder, t));
  }

  /** Removes a registration made with {@link #register}. */
  public static void unregister(String className) {
    REGISTERED.remove(className);
  }

  public static Optional<Entry> find(String className) {
    Entry e = REGISTERED.get(className);
    return Optional.ofNullable(e != null ? e : BUILT_IN.get(className));
  }

  /** The traits of a class; none for a class nobody registered. */
  public static Set<LayerTrait> traits(String className) {
    return find(className).map(Entry::traits).orElse(Set.of());
  }

  /** True for the container classes whose layers are flattened into the graph. */
  public static boolean isModel(String className) {
    return traits(className).contains(MODEL);
  }

  /** Every class the loader accepts (built in or registered), sorted, with its traits and limits. */
  public static List<Description> describe() {
    Map<String, Description> out = new TreeMap<>();
    BUILT_IN.forEach((c, e) -> out.put(c, new Description(c, e.traits(), NOTES.getOrDefault(c, ""))));
    REGISTERED.forEach((c, e) -> out.put(c, new Description(c, e.traits(), "registered by the application")));
    return List.copyOf(out.values());
  }

  /** Every class with a builder, sorted. */
  public static Set<String> supportedClasses() {
    Set<String> out = new TreeSet<>(REGISTERED.keySet());
    BUILT_IN.forEach((c, e) -> {
      if (e.builder() != null) {
        out.add(c);
      }
    });
    return Collections.unmodifiableSet(out);
  }
}
