package dev.convlens.finetune.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.finetune.data.LabelMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The Keras Functional config of base + head, as {@code keras.Model(inputs, head(base(inputs)))}
 * would serialise it: an InputLayer, the base nested as one layer (its own config inside, called on
 * node 1 like a reused Keras model), then the head layers with Keras' auto-names ({@code flatten},
 * {@code dense}, {@code dropout}, {@code dense_1}), each config as tf.keras 2.x writes it. Configs
 * travel as JSON text (what {@code KerasModel.config()} returns); the tree is only built here.
 */
final class ClassifierConfig {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ClassifierConfig() {}

  /** A model config as a tree; the text comes from a loaded model, so it is valid JSON. */
  static JsonNode parse(String modelConfigJson) {
    try {
      return MAPPER.readTree(modelConfigJson);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a loaded model's config is not JSON: " + e.getMessage(), e);
    }
  }

  static String build(String baseConfigJson, String baseName, long[] inputShape, Head head, LabelMode mode,
      int classes) {
    JsonNode baseConfig = parse(baseConfigJson);
    String baseClass = baseConfig.path("class_name").asText();
    if (!isModel(baseClass)) {
      throw new InvalidInputException("base model config has class '" + baseClass + "', expected a Keras model");
    }
    if (inputShape.length != 4 || inputShape[1] < 1 || inputShape[2] < 1 || inputShape[3] < 1) {
      throw new InvalidInputException("the base needs a fixed image input [batch, H, W, C], got "
          + java.util.Arrays.toString(inputShape) + " (load it with an input size)");
    }
    Set<String> taken = new HashSet<>();
    collectNames(baseConfig, taken);
    taken.add(baseName);
    ArrayNode layers = JSON.arrayNode();

    String input = unique("input", taken, true);
    ObjectNode inConfig = JSON.objectNode();
    inConfig.putArray("batch_input_shape").addNull().add(inputShape[1]).add(inputShape[2]).add(inputShape[3]);
    inConfig.put("dtype", "float32");
    inConfig.put("sparse", false);
    inConfig.put("ragged", false);
    inConfig.put("name", input);
    layers.add(layer("InputLayer", input, inConfig, null, 0));

    ObjectNode base = JSON.objectNode();
    base.put("class_name", baseClass);
    base.set("config", baseConfig.path("config").deepCopy());
    base.put("name", baseName);
    base.set("inbound_nodes", inbound(input, 0));
    layers.add(base);

    String previous = baseName;
    int previousNode = 1;
    if (head.pooling() == Head.Pooling.FLATTEN) {
      String name = unique("flatten", taken, false);
      ObjectNode c = common(name);
      c.put("data_format", "channels_last");
      layers.add(layer("Flatten", name, c, previous, previousNode));
      previous = name;
    } else {
      String name = unique("global_average_pooling2d", taken, false);
      ObjectNode c = common(name);
      c.put("data_format", "channels_last");
      c.put("keepdims", false);
      layers.add(layer("GlobalAveragePooling2D", name, c, previous, previousNode));
      previous = name;
    }
    previousNode = 0;
    if (head.units() > 0) {
      String name = unique("dense", taken, false);
      layers.add(layer("Dense", name, dense(name, head.units(), "relu"), previous, previousNode));
      previous = name;
    }
    if (head.dropout() > 0) {
      String name = unique("dropout", taken, false);
      ObjectNode c = common(name);
      c.put("rate", head.dropout());
      c.putNull("noise_shape");
      c.putNull("seed");
      layers.add(layer("Dropout", name, c, previous, previousNode));
      previous = name;
    }
    String output = unique("dense", taken, false);
    boolean binary = mode == LabelMode.BINARY;
    layers.add(layer("Dense", output, dense(output, binary ? 1 : classes, binary ? "sigmoid" : "softmax"), previous,
        previousNode));

    ObjectNode config = JSON.objectNode();
    config.put("name", "model");
    config.set("layers", layers);
    config.putArray("input_layers").addArray().add(input).add(0).add(0);
    config.putArray("output_layers").addArray().add(output).add(0).add(0);
    ObjectNode model = JSON.objectNode();
    model.put("class_name", "Functional");
    model.set("config", config);
    return model.toString();
  }

  private static boolean isModel(String kerasClass) {
    return LayerTrait.of(kerasClass).contains(LayerTrait.MODEL);
  }

  private static ObjectNode layer(String cls, String name, ObjectNode config, @Nullable String from, int node) {
    ObjectNode l = JSON.objectNode();
    l.put("class_name", cls);
    l.set("config", config);
    l.put("name", name);
    l.set("inbound_nodes", from == null ? JSON.arrayNode() : inbound(from, node));
    return l;
  }

  private static ArrayNode inbound(String layer, int node) {
    ArrayNode nodes = JSON.arrayNode();
    nodes.addArray().addArray().add(layer).add(node).add(0).addObject();
    return nodes;
  }

  private static ObjectNode common(String name) {
    ObjectNode c = JSON.objectNode();
    c.put("name", name);
    c.put("trainable", true);
    c.put("dtype", "float32");
    return c;
  }

  private static ObjectNode dense(String name, int units, String activation) {
    ObjectNode c = common(name);
    c.put("units", units);
    c.put("activation", activation);
    c.put("use_bias", true);
    ObjectNode k = c.putObject("kernel_initializer");
    k.put("class_name", "GlorotUniform");
    k.putObject("config").putNull("seed");
    ObjectNode b = c.putObject("bias_initializer");
    b.put("class_name", "Zeros");
    b.putObject("config");
    c.putNull("kernel_regularizer");
    c.putNull("bias_regularizer");
    c.putNull("activity_regularizer");
    c.putNull("kernel_constraint");
    c.putNull("bias_constraint");
    return c;
  }

  /** Keras' auto-naming: {@code dense}, {@code dense_1}, ... skipping names in use; inputs start at {@code input_1}. */
  private static String unique(String prefix, Set<String> taken, boolean numberFirst) {
    for (int i = numberFirst ? 1 : 0; ; i++) {
      String n = i == 0 ? prefix : prefix + "_" + i;
      if (taken.add(n)) {
        return n;
      }
    }
  }

  private static void collectNames(JsonNode model, Set<String> out) {
    JsonNode config = model.path("config");
    JsonNode layers = config.isArray() ? config : config.path("layers");
    for (JsonNode l : layers) {
      String n = l.path("config").path("name").asText(l.path("name").asText());
      out.add(n);
      if (isModel(l.path("class_name").asText())) {
        collectNames(l, out);
      }
    }
  }

  /** A copy of {@code modelConfig} with {@code trainable} set on every leaf layer that has weights. */
  static String withTrainableFlags(String modelConfigJson, Predicate<List<String>> trainable,
      Predicate<List<String>> hasWeights) {
    JsonNode copy = parse(modelConfigJson);
    setFlags(copy, List.of(), trainable, hasWeights);
    return copy.toString();
  }

  private static void setFlags(JsonNode model, List<String> prefix,
      Predicate<List<String>> trainable, Predicate<List<String>> hasWeights) {
    JsonNode config = model.path("config");
    JsonNode layers = config.isArray() ? config : config.path("layers");
    for (JsonNode l : layers) {
      String n = l.path("config").path("name").asText(l.path("name").asText());
      List<String> path = new ArrayList<>(prefix);
      path.add(n);
      if (isModel(l.path("class_name").asText())) {
        setFlags(l, path, trainable, hasWeights);
      } else if (hasWeights.test(path) && l.path("config") instanceof ObjectNode c) {
        c.put("trainable", trainable.test(path));
      }
    }
  }
}
