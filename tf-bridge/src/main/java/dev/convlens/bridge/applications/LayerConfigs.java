package dev.convlens.bridge.applications;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Layer {@code config} objects exactly as tf.keras 2.x (TF 2.6 to 2.12) {@code get_config()} writes
 * them for a built layer: same keys, same key order, same default values. Only the arguments the
 * applications vary are parameters; everything else is the Keras default.
 */
final class LayerConfigs {
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private LayerConfigs() {}

  static ObjectNode input(String name, int height, int width, int channels) {
    ObjectNode c = JSON.objectNode();
    ArrayNode shape = c.putArray("batch_input_shape");
    shape.addNull().add(height).add(width).add(channels);
    c.put("dtype", "float32");
    c.put("sparse", false);
    c.put("ragged", false);
    c.put("name", name);
    return c;
  }

  /** Conv2D; {@code activation} "linear" is what Keras writes for {@code activation=None}. */
  static ObjectNode conv2d(String name, int filters, int kernel, int stride, String padding,
      String activation, boolean useBias) {
    ObjectNode c = base(name);
    c.put("filters", filters);
    convGeometry(c, kernel, stride, padding);
    c.put("activation", activation);
    c.put("use_bias", useBias);
    c.set("kernel_initializer", initializer("GlorotUniform", true));
    c.set("bias_initializer", initializer("Zeros", false));
    c.putNull("kernel_regularizer");
    c.putNull("bias_regularizer");
    c.putNull("activity_regularizer");
    c.putNull("kernel_constraint");
    c.putNull("bias_constraint");
    return c;
  }

  /** DepthwiseConv2D: Conv2D's config without the kernel_* keys, plus the depthwise_* keys at the end. */
  static ObjectNode depthwiseConv2d(String name, int kernel, int stride, String padding,
      int depthMultiplier, String activation, boolean useBias) {
    ObjectNode c = base(name);
    convGeometry(c, kernel, stride, padding);
    c.put("activation", activation);
    c.put("use_bias", useBias);
    c.set("bias_initializer", initializer("Zeros", false));
    c.putNull("bias_regularizer");
    c.putNull("activity_regularizer");
    c.putNull("bias_constraint");
    c.put("depth_multiplier", depthMultiplier);
    c.set("depthwise_initializer", initializer("GlorotUniform", true));
    c.putNull("depthwise_regularizer");
    c.putNull("depthwise_constraint");
    return c;
  }

  /** BatchNormalization with Keras defaults (momentum 0.99, epsilon 1e-3, center and scale), built on a rank-4 NHWC input. */
  static ObjectNode batchNorm(String name) {
    ObjectNode c = base(name);
    // A built layer reports the normalised axis as a list of non-negative indices: -1 on NHWC is [3].
    c.putArray("axis").add(3);
    c.put("momentum", 0.99);
    c.put("epsilon", 0.001);
    c.put("center", true);
    c.put("scale", true);
    c.set("beta_initializer", initializer("Zeros", false));
    c.set("gamma_initializer", initializer("Ones", false));
    c.set("moving_mean_initializer", initializer("Zeros", false));
    c.set("moving_variance_initializer", initializer("Ones", false));
    c.putNull("beta_regularizer");
    c.putNull("gamma_regularizer");
    c.putNull("beta_constraint");
    c.putNull("gamma_constraint");
    return c;
  }

  static ObjectNode activation(String name, String activation) {
    ObjectNode c = base(name);
    c.put("activation", activation);
    return c;
  }

  static ObjectNode maxPooling2d(String name, int pool, int stride) {
    ObjectNode c = base(name);
    c.putArray("pool_size").add(pool).add(pool);
    c.put("padding", "valid");
    c.putArray("strides").add(stride).add(stride);
    c.put("data_format", "channels_last");
    return c;
  }

  /** GlobalAveragePooling2D or GlobalMaxPooling2D (same config keys). */
  static ObjectNode globalPooling2d(String name) {
    ObjectNode c = base(name);
    c.put("data_format", "channels_last");
    c.put("keepdims", false);
    return c;
  }

  static ObjectNode flatten(String name) {
    ObjectNode c = base(name);
    c.put("data_format", "channels_last");
    return c;
  }

  static ObjectNode dense(String name, int units, String activation) {
    ObjectNode c = base(name);
    c.put("units", units);
    c.put("activation", activation);
    c.put("use_bias", true);
    c.set("kernel_initializer", initializer("GlorotUniform", true));
    c.set("bias_initializer", initializer("Zeros", false));
    c.putNull("kernel_regularizer");
    c.putNull("bias_regularizer");
    c.putNull("activity_regularizer");
    c.putNull("kernel_constraint");
    c.putNull("bias_constraint");
    return c;
  }

  static ObjectNode reshape(String name, int... targetShape) {
    ObjectNode c = base(name);
    ArrayNode shape = c.putArray("target_shape");
    for (int d : targetShape) {
      shape.add(d);
    }
    return c;
  }

  static ObjectNode dropout(String name, double rate) {
    ObjectNode c = base(name);
    c.put("rate", rate);
    c.putNull("noise_shape");
    c.putNull("seed");
    return c;
  }

  private static ObjectNode base(String name) {
    ObjectNode c = JSON.objectNode();
    c.put("name", name);
    c.put("trainable", true);
    c.put("dtype", "float32");
    return c;
  }

  private static void convGeometry(ObjectNode c, int kernel, int stride, String padding) {
    c.putArray("kernel_size").add(kernel).add(kernel);
    c.putArray("strides").add(stride).add(stride);
    c.put("padding", padding);
    c.put("data_format", "channels_last");
    c.putArray("dilation_rate").add(1).add(1);
    c.put("groups", 1);
  }

  private static ObjectNode initializer(String className, boolean seeded) {
    ObjectNode i = JSON.objectNode();
    i.put("class_name", className);
    ObjectNode config = i.putObject("config");
    if (seeded) {
      config.putNull("seed");
    }
    return i;
  }
}
