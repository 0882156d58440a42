package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras activation functions by name, as the TF backend computes them. */
final class Activations {
  private Activations() {}

  /**
   * The activation named in a config value: a string, or a Keras 3 serialized function object;
   * null when the value is neither (a number, a list, an object without a name).
   */
  static @Nullable String name(@Nullable JsonNode v) {
    if (v == null || v.isNull()) {
      return "linear";
    }
    if (v.isObject()) {
      JsonNode c = v.get("config");
      JsonNode n = c != null && c.isTextual() ? c : v.get("class_name");
      return n != null && n.isTextual() ? n.textValue() : null;
    }
    return v.isTextual() ? v.textValue() : null;
  }

  static boolean isKnown(String name) {
    return switch (name) {
      case "linear", "relu", "relu6", "sigmoid", "softmax", "tanh", "elu", "selu", "softplus", "softsign",
          "swish", "silu", "exponential", "hard_sigmoid" -> true;
      default -> false;
    };
  }

  static Operand<TFloat32> apply(Ops tf, String name, Operand<TFloat32> x) {
    return switch (name) {
      case "linear" -> x;
      case "relu" -> tf.nn.relu(x);
      case "relu6" -> tf.nn.relu6(x);
      case "sigmoid" -> tf.math.sigmoid(x);
      case "softmax" -> tf.nn.softmax(x);
      case "tanh" -> tf.math.tanh(x);
      case "elu" -> tf.nn.elu(x);
      case "selu" -> tf.nn.selu(x);
      case "softplus" -> tf.math.softplus(x);
      case "softsign" -> tf.nn.softsign(x);
      case "swish", "silu" -> tf.math.mul(x, tf.math.sigmoid(x));
      case "exponential" -> tf.math.exp(x);
      // Keras 2: clip(0.2x + 0.5, 0, 1).
      case "hard_sigmoid" -> tf.clipByValue(tf.math.add(tf.math.mul(x, tf.constant(0.2f)), tf.constant(0.5f)),
          tf.constant(0f), tf.constant(1f));
      default -> throw new IllegalStateException("unknown activation " + name + " (callers check isKnown first)");
    };
  }
}
