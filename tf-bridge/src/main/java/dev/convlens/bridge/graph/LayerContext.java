package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.UnsupportedLayerException;
import dev.convlens.bridge.keras.Initializer;
import dev.convlens.bridge.keras.WeightSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

/**
 * What a {@link LayerBuilder} sees of one layer: its config, the static shapes of its inputs
 * (batch axis unknown), an {@link Ops} scoped to the layer, and typed reads of Keras config values
 * ({@link #positiveInt}, {@link #pair}, {@link #oneOf}, {@link #rate}, ...) that refuse a wrong
 * type or range at load with a {@link ModelFormatException} naming the file, the layer, the field
 * and what was expected, instead of letting TF fail at predict.
 */
public final class LayerContext {
  private final String className;
  private final List<String> path;
  private final JsonNode config;
  private final List<Shape> inputShapes;
  private final Ops tf;
  private final @Nullable Path source;

  LayerContext(String className, List<String> path, JsonNode config, List<Shape> inputShapes, Ops tf, @Nullable Path source) {
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

  // Typed reads of the config. Each refuses a value of the wrong JSON type (a number given as a
  // string, a fraction for an int, an int beyond 32 bits) or out of its range with a
  // ModelFormatException naming the layer, the field and what was expected; a null value counts
  // as absent, as Keras treats it. Builders read their config only through these.

  /** An int of any sign, or {@code fallback} when absent. */
  public int integer(String key, int fallback) {
    return has(key) ? exactInt(key, "an int") : fallback;
  }

  /** A required positive int ({@code filters}, {@code units}). */
  public int positiveInt(String key) {
    return positive(key, exactInt(key, "a positive int"), "a positive int");
  }

  /** A positive int, or {@code fallback} when absent ({@code depth_multiplier}, {@code groups}). */
  public int positiveInt(String key, int fallback) {
    return has(key) ? positiveInt(key) : fallback;
  }

  /** A finite number, or {@code fallback} when absent. */
  public double number(String key, double fallback) {
    return has(key) ? finite(key, "a finite number") : fallback;
  }

  /** A finite number in {@code [min, max]}, or {@code fallback} when absent. */
  public double number(String key, double fallback, double min, double max) {
    if (!has(key)) {
      return fallback;
    }
    String expected = range(min, max);
    double d = finite(key, expected);
    if (d < min || d > max) {
      throw badValue(key, expected);
    }
    return d;
  }

  /** A range as people write it; float32's limits are left unsaid (they only keep values finite). */
  private static String range(double min, double max) {
    boolean low = min > -Float.MAX_VALUE;
    boolean high = max < Float.MAX_VALUE;
    if (low && high) {
      return "a number in [" + plain(min) + ", " + plain(max) + "]";
    }
    return low ? "a number >= " + plain(min) : high ? "a number <= " + plain(max) : "a finite number";
  }

  private static String plain(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  /** A finite number above zero ({@code epsilon}), or {@code fallback} when absent. */
  public double positiveNumber(String key, double fallback) {
    if (!has(key)) {
      return fallback;
    }
    double d = finite(key, "a number > 0");
    if (d <= 0) {
      throw badValue(key, "a number > 0");
    }
    return d;
  }

  /**
   * A dropout-style rate in {@code [0, 1)}, or {@code fallback} when absent: at 1 nothing would be
   * kept and training's scale 1/(1-rate) would be infinite.
   */
  public double rate(String key, double fallback) {
    if (!has(key)) {
      return fallback;
    }
    double d = finite(key, "a rate in [0, 1)");
    if (d < 0 || d >= 1) {
      throw badValue(key, "a rate in [0, 1)");
    }
    return d;
  }

  public boolean bool(String key, boolean fallback) {
    if (!has(key)) {
      return fallback;
    }
    JsonNode v = config.get(key);
    if (!v.isBoolean()) {
      throw badValue(key, "true or false");
    }
    return v.booleanValue();
  }

  public String string(String key, String fallback) {
    if (!has(key)) {
      return fallback;
    }
    JsonNode v = config.get(key);
    if (!v.isTextual()) {
      throw badValue(key, "a string");
    }
    return v.textValue();
  }

  /** One of {@code allowed} (compared without case, as Keras normalizes them), lower-cased; {@code fallback} when absent. */
  public String oneOf(String key, String fallback, String... allowed) {
    String expected = "one of '" + String.join("', '", allowed) + "'";
    if (!has(key)) {
      return fallback;
    }
    JsonNode v = config.get(key);
    String s = v.isTextual() ? v.textValue().toLowerCase(Locale.ROOT) : null;
    if (s == null || !List.of(allowed).contains(s)) {
      throw badValue(key, expected);
    }
    return s;
  }

  /**
   * A Keras int-or-pair argument of positive sizes ({@code kernel_size}, {@code strides},
   * {@code pool_size}, {@code dilation_rate}); required when {@code fallback} is null.
   */
  public long[] pair(String key, long @Nullable [] fallback) {
    String expected = "a positive int or a pair of positive ints";
    if (!has(key)) {
      if (fallback == null) {
        throw missing(key, expected);
      }
      return fallback.clone();
    }
    JsonNode v = config.get(key);
    JsonNode[] items = v.isArray() ? new JsonNode[] {v.get(0), v.get(1)} : new JsonNode[] {v, v};
    if (v.isArray() && v.size() != 2) {
      throw badValue(key, expected);
    }
    long[] out = new long[2];
    for (int i = 0; i < 2; i++) {
      Integer n = JsonValues.exactInt(items[i]);
      if (n == null || n < 1) {
        throw badValue(key, expected);
      }
      out[i] = n;
    }
    return out;
  }

  /**
   * Amounts per side of the two spatial axes, {@code {{top, bottom}, {left, right}}}, from Keras'
   * int, {@code (sym_h, sym_w)} or {@code ((top, bottom), (left, right))} forms, all {@code >= 0}
   * ({@code ZeroPadding2D.padding}, {@code Cropping2D.cropping}).
   */
  public long[][] sides(String key, long fallback) {
    if (!has(key)) {
      return new long[][] {{fallback, fallback}, {fallback, fallback}};
    }
    String expected = "an int >= 0, a pair of them or a pair of (before, after) pairs";
    JsonNode v = config.get(key);
    if (!v.isArray()) {
      long n = side(key, v, expected);
      return new long[][] {{n, n}, {n, n}};
    }
    if (v.size() != 2) {
      throw badValue(key, expected);
    }
    long[][] out = new long[2][];
    for (int axis = 0; axis < 2; axis++) {
      JsonNode a = v.get(axis);
      if (a.isArray()) {
        if (a.size() != 2) {
          throw badValue(key, expected);
        }
        out[axis] = new long[] {side(key, a.get(0), expected), side(key, a.get(1), expected)};
      } else {
        long n = side(key, a, expected);
        out[axis] = new long[] {n, n};
      }
    }
    return out;
  }

  private long side(String key, JsonNode v, String expected) {
    Integer n = JsonValues.exactInt(v);
    if (n == null || n < 0) {
      throw badValue(key, expected);
    }
    return n;
  }

  /**
   * An axis of input 0 as an int or a one-element list (BatchNormalization writes {@code [3]}),
   * negative counting from the end, returned in {@code [1, rank)}: the batch axis is not a valid
   * choice for the layers that take one.
   */
  public int axis(String key, int fallback) {
    int rank = inputShape(0).numDimensions();
    String expected = "an axis in [1, " + rank + ") or [-" + (rank - 1) + ", -1] (input rank " + rank + ")";
    int a = fallback;
    if (has(key)) {
      JsonNode v = config.get(key);
      Integer n = JsonValues.exactInt(v.isArray() && v.size() == 1 ? v.get(0) : v);
      if (n == null) {
        throw badValue(key, expected);
      }
      a = n;
    }
    int normalized = a < 0 ? a + rank : a;
    if (normalized < 1 || normalized >= rank) {
      throw badValue(key, expected);
    }
    return normalized;
  }

  /**
   * The activation a layer fuses: a name or a Keras 3 serialized function, {@code linear} when
   * absent. A name convlens has no TF rebuild for is an {@link UnsupportedLayerException}.
   */
  public String activation() {
    String expected = "an activation name";
    if (!has("activation")) {
      return "linear";
    }
    JsonNode v = config.get("activation");
    String name = Activations.name(v);
    if (name == null) {
      throw badValue("activation", expected);
    }
    if (!Activations.isKnown(name)) {
      throw unsupported("activation '" + JsonValues.show(name) + "'");
    }
    return name;
  }

  private int exactInt(String key, String expected) {
    Integer n = JsonValues.exactInt(config.get(key));
    if (n == null) {
      throw has(key) ? badValue(key, expected) : missing(key, expected);
    }
    return n;
  }

  private int positive(String key, int n, String expected) {
    if (n < 1) {
      throw badValue(key, expected);
    }
    return n;
  }

  private double finite(String key, String expected) {
    Double d = JsonValues.finite(config.get(key));
    if (d == null) {
      throw badValue(key, expected);
    }
    return d;
  }

  /** A field holding a value of the wrong type or out of range: names the field, the value and what was expected. */
  public ModelFormatException badValue(String key, String expected) {
    return invalid("'" + key + "' is " + JsonValues.show(config.get(key)) + ", expected " + expected);
  }

  /** A required field absent or null. */
  public ModelFormatException missing(String key, String expected) {
    return invalid("'" + key + "' is " + (config.has(key) ? "null" : "missing") + ", expected " + expected);
  }

  /**
   * A weight the layer declares, with the initializer its config names under {@code initializerKey}
   * ({@code kernel_initializer}, ...), or {@code fallback} (Keras' default for that weight).
   */
  public WeightSpec weight(String name, long[] shape, boolean trainable, String initializerKey, Initializer fallback) {
    return new WeightSpec(name, shape, trainable, Initializer.fromConfig(config.get(initializerKey), fallback));
  }

  /** Keras padding as TF spells it; 'causal' is a Conv1D padding, which no 2-D layer takes. */
  public String padding() {
    return oneOf("padding", "valid", "valid", "same").equals("same") ? "SAME" : "VALID";
  }

  /** Only channels_last is rebuilt; channels_first models would need transposed kernels and inputs. */
  public void requireChannelsLast() {
    String f = oneOf("data_format", "channels_last", "channels_last", "channels_first");
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
