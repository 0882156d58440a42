package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.UnsupportedLayerException;
import dev.convlens.bridge.keras.Initializer;
import dev.convlens.bridge.keras.WeightSpec;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

/**
 * What a {@link LayerBuilder} sees of one layer: its config, the static shapes of its inputs
 * (batch axis unknown), an {@link Ops} scoped to the layer, and helpers that read Keras config
 * values and raise errors naming the layer and the file.
 */
public final class LayerContext {
  private final String className;
  private final List<String> path;
  private final JsonNode config;
  private final List<Shape> inputShapes;
  private final Ops tf;
  private final Path source;

  LayerContext(String className, List<String> path, JsonNode config, List<Shape> inputShapes, Ops tf, Path source) {
    this.className = className;
    this.path = path;
    this.config = config;
    this.inputShapes = inputShapes;
    this.tf = tf;
    this.source = source;
  }

  public Ops tf() {
    return tf;
  }

  public String name() {
    return path.get(path.size() - 1);
  }

  public String className() {
    return className;
  }

  public JsonNode config() {
    return config;
  }

  public Shape inputShape(int i) {
    return inputShapes.get(i);
  }

  public int inputCount() {
    return inputShapes.size();
  }

  /** The size of the input's last axis, which must be known to size the layer's weights. */
  public long inputChannels() {
    Shape s = inputShape(0);
    long c = s.numDimensions() > 0 ? s.get(s.numDimensions() - 1) : -1;
    if (c < 0) {
      throw invalid("needs a known size of the input's last axis, got shape " + s);
    }
    return c;
  }

  public boolean has(String key) {
    JsonNode v = config.get(key);
    return v != null && !v.isNull();
  }

  public int integer(String key, int fallback) {
    return has(key) ? config.get(key).asInt() : fallback;
  }

  public double number(String key, double fallback) {
    return has(key) ? config.get(key).asDouble() : fallback;
  }

  public boolean bool(String key, boolean fallback) {
    return has(key) ? config.get(key).asBoolean() : fallback;
  }

  public String string(String key, String fallback) {
    return has(key) ? config.get(key).asText() : fallback;
  }

  /** A Keras int-or-tuple argument such as {@code kernel_size}, {@code strides}, {@code pool_size}. */
  public long[] pair(String key, long[] fallback) {
    if (!has(key)) {
      return fallback;
    }
    JsonNode v = config.get(key);
    if (v.isNumber()) {
      return new long[] {v.asLong(), v.asLong()};
    }
    if (v.isArray() && v.size() == 2) {
      return new long[] {v.get(0).asLong(), v.get(1).asLong()};
    }
    throw invalid("'" + key + "' must be an int or a pair, got " + v);
  }

  /**
   * A weight the layer declares, with the initializer its config names under {@code initializerKey}
   * ({@code kernel_initializer}, ...), or {@code fallback} (Keras' default for that weight).
   */
  public WeightSpec weight(String name, long[] shape, boolean trainable, String initializerKey, Initializer fallback) {
    return new WeightSpec(name, shape, trainable, Initializer.fromConfig(config.get(initializerKey), fallback));
  }

  /** Keras padding string as TF spells it; 'causal' and friends are not 2-D paddings. */
  public String padding() {
    String p = string("padding", "valid").toLowerCase(java.util.Locale.ROOT);
    return switch (p) {
      case "same" -> "SAME";
      case "valid" -> "VALID";
      default -> throw unsupported("padding '" + p + "'");
    };
  }

  /** Only channels_last is rebuilt; channels_first models would need transposed kernels and inputs. */
  public void requireChannelsLast() {
    String f = string("data_format", "channels_last");
    if (!f.equals("channels_last")) {
      throw unsupported("data_format '" + f + "' (only channels_last is supported)");
    }
  }

  public ModelFormatException invalid(String message) {
    return new ModelFormatException(source, "layer '" + String.join("/", path) + "' (" + className + "): " + message);
  }

  public UnsupportedLayerException unsupported(String detail) {
    return new UnsupportedLayerException(source, className, String.join("/", path), detail);
  }
}
