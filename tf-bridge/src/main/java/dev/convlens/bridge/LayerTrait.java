package dev.convlens.bridge;

import dev.convlens.bridge.graph.LayerRegistry;
import java.util.Set;

/**
 * What a layer does, as far as the modules that visualize and train models need to know: the
 * layer registry gives each Keras class its traits, so no module keeps lists of class names.
 */
public enum LayerTrait {
  /** Computes a spatial map from weights: Conv2D, DepthwiseConv2D, SeparableConv2D. */
  CONVOLUTIONAL,
  /** Local pooling: MaxPooling2D, AveragePooling2D. */
  POOLING,
  /** Global pooling over the spatial axes. */
  GLOBAL_POOLING,
  /** Passes on the map of the layer before it (inputs, padding, cropping, reshaping, identities at inference). */
  PASS_THROUGH,
  /** Only reshapes its input or is the identity at inference: Reshape, Flatten, Dropout and the like. */
  SHAPE_ONLY,
  /** Random only while training (Dropout and noise layers): the identity at inference. */
  TRAINING_ONLY,
  /** Keras' {@code Dropout}: while training, zeroes inputs with probability {@code rate} and scales the rest. */
  DROPOUT,
  /** Dense: a fully connected layer. */
  DENSE,
  /** Combines several inputs: Add, Concatenate, ... */
  MERGE,
  /** The model input. */
  INPUT,
  /** A nested model (Sequential, Functional, Model). */
  MODEL,
  /** A layer supplied by the user's own builder (custom layers, Lambda). */
  CUSTOM;

  /** The traits the layer registry gives a Keras class (none for a class it does not know). */
  public static Set<LayerTrait> of(String kerasClassName) {
    return LayerRegistry.traits(kerasClassName);
  }
}
