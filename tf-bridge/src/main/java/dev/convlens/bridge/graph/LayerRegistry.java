package dev.convlens.bridge.graph;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The one place that maps a Keras layer class name to the code that rebuilds it. */
public final class LayerRegistry {
  private static final Map<String, LayerBuilder> BUILDERS = new TreeMap<>();

  /** Layers that are the identity at inference time: regularisation and random augmentation. */
  private static final Set<String> INFERENCE_IDENTITY = Set.of("Dropout", "SpatialDropout1D", "SpatialDropout2D",
      "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization", "RandomFlip", "RandomRotation",
      "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness", "RandomHeight", "RandomWidth");

  static {
    BUILDERS.put("Conv2D", Convolutions.CONV2D);
    BUILDERS.put("Convolution2D", Convolutions.CONV2D);
    BUILDERS.put("DepthwiseConv2D", Convolutions.DEPTHWISE);
    BUILDERS.put("SeparableConv2D", Convolutions.SEPARABLE);
    BUILDERS.put("SeparableConvolution2D", Convolutions.SEPARABLE);
    BUILDERS.put("Dense", new Dense());
    BUILDERS.put("MaxPooling2D", Pooling.MAX);
    BUILDERS.put("MaxPool2D", Pooling.MAX);
    BUILDERS.put("AveragePooling2D", Pooling.AVERAGE);
    BUILDERS.put("AvgPool2D", Pooling.AVERAGE);
    BUILDERS.put("GlobalAveragePooling2D", Pooling.GLOBAL_AVERAGE);
    BUILDERS.put("GlobalAvgPool2D", Pooling.GLOBAL_AVERAGE);
    BUILDERS.put("GlobalMaxPooling2D", Pooling.GLOBAL_MAX);
    BUILDERS.put("GlobalMaxPool2D", Pooling.GLOBAL_MAX);
    BUILDERS.put("ZeroPadding2D", Reshaping.ZERO_PADDING);
    BUILDERS.put("Cropping2D", Reshaping.CROPPING);
    BUILDERS.put("Flatten", Reshaping.FLATTEN);
    BUILDERS.put("Reshape", Reshaping.RESHAPE);
    BUILDERS.put("BatchNormalization", new BatchNormalization());
    BUILDERS.put("Activation", Elementwise.ACTIVATION);
    BUILDERS.put("ReLU", Elementwise.RELU);
    BUILDERS.put("LeakyReLU", Elementwise.LEAKY_RELU);
    BUILDERS.put("ELU", Elementwise.ELU);
    BUILDERS.put("Softmax", Elementwise.SOFTMAX);
    BUILDERS.put("Rescaling", Elementwise.RESCALING);
    BUILDERS.put("Add", Merging.ADD);
    BUILDERS.put("Subtract", Merging.SUBTRACT);
    BUILDERS.put("Multiply", Merging.MULTIPLY);
    BUILDERS.put("Average", Merging.AVERAGE);
    BUILDERS.put("Maximum", Merging.MAXIMUM);
    BUILDERS.put("Minimum", Merging.MINIMUM);
    BUILDERS.put("Concatenate", Merging.CONCATENATE);
    for (String name : INFERENCE_IDENTITY) {
      BUILDERS.put(name, Elementwise.IDENTITY);
    }
  }

  private LayerRegistry() {}

  public static Optional<LayerBuilder> find(String className) {
    return Optional.ofNullable(BUILDERS.get(className));
  }

  /** Every supported class name, sorted (InputLayer and nested models are handled by the graph builder). */
  public static Set<String> supportedClasses() {
    return java.util.Collections.unmodifiableSet(BUILDERS.keySet());
  }
}
