package dev.convlens.bridge.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.ModelFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns the JSON of {@code model.to_json()} into a {@link ModelSpec}, across the dialects Keras
 * has written: Sequential as a bare list (before 2.2.3) or {@code {name, layers}}, functional
 * classes {@code Model} / {@code Functional}, Keras 2 nested-list inbound nodes and Keras 3
 * {@code __keras_tensor__} dicts, {@code batch_input_shape} and {@code batch_shape}.
 */
public final class ModelConfigParser {
  /** The Keras container classes whose layers a config nests. */
  public static final Set<String> MODEL_CLASSES = Set.of("Sequential", "Functional", "Model");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final @Nullable Path source;

  private ModelConfigParser(@Nullable Path source) {
    this.source = source;
  }

  public static ModelSpec parse(JsonNode modelJson, @Nullable Path source) {
    return new ModelConfigParser(source).model(modelJson);
  }

  public static JsonNode readJson(String text, @Nullable Path source) {
    return readJson(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), source, "model config");
  }

  /** {@code bytes} as JSON; {@code what} names the part in the message ({@code "metadata.json inside the zip"}). */
  static JsonNode readJson(byte[] bytes, @Nullable Path source, String what) {
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new ModelFormatException(source, what + " is empty, expected a JSON object");
      }
      return node;
    } catch (java.io.IOException | RuntimeException e) {
      if (e instanceof ModelFormatException m) {
        throw m;
      }
      throw new ModelFormatException(source, what + " is not valid JSON: " + jsonError(e), e);
    }
  }

  /** Jackson's message without its multi-line source excerpt: what is wrong and where. */
  static String jsonError(Exception e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
      return j.getOriginalMessage() + " (line " + j.getLocation().getLineNr() + ", column "
          + j.getLocation().getColumnNr() + ")";
    }
    return Objects.toString(e.getMessage(), e.toString());
  }

  private ModelSpec model(JsonNode json) {
    if (json == null || !json.isObject() || !json.hasNonNull("class_name")) {
      throw fail("model config must be an object with \"class_name\" and \"config\" (the JSON of model.to_json())");
    }
    String cls = json.get("class_name").asText();
    JsonNode config = json.get("config");
    return switch (cls) {
      case "Sequential" -> sequential(config);
      case "Functional", "Model" -> functional(cls, config);
      default -> throw fail("'" + cls + "' is not a Keras model: only Sequential and Functional models carry an"
          + " architecture that can be rebuilt (a subclassed model's config does not); save it as Functional, or give"
          + " its weights with a Functional config");
    };
  }

  private ModelSpec sequential(@Nullable JsonNode config) {
    JsonNode layersJson;
    String name;
    if (config != null && config.isArray()) {
      layersJson = config;
      name = "sequential";
    } else if (config != null && config.has("layers")) {
      layersJson = config.get("layers");
      name = config.path("name").asText("sequential");
    } else {
      throw fail("Sequential config has no layer list");
    }
    if (layersJson.isEmpty()) {
      throw fail("Sequential model '" + name + "' has no layers");
    }
    List<LayerNode> layers = new ArrayList<>();
    TensorRef previous = null;
    int i = 0;
    for (JsonNode lj : layersJson) {
      String cls = className(lj);
      JsonNode lc = lj.path("config");
      String lname = layerName(lj);
      if (i == 0 && !cls.equals("InputLayer")) {
        // Keras gives a Sequential without InputLayer an implicit input named after its first layer.
        // Without a declared shape (a nested Sequential) the input takes its shape from the caller.
        JsonNode shape = batchShape(lc);
        ObjectNode inputConfig = JsonNodeFactory.instance.objectNode();
        inputConfig.put("name", lname + "_input");
        if (shape != null) {
          inputConfig.set("batch_input_shape", shape);
        }
        layers.add(new LayerNode(lname + "_input", "InputLayer", inputConfig, List.of(), null));
        previous = new TensorRef(lname + "_input", 0, 0);
      }
      ModelSpec nested = MODEL_CLASSES.contains(cls) ? model(lj) : null;
      List<List<TensorRef>> calls = cls.equals("InputLayer") && i == 0 ? List.of() : List.of(List.of(previous));
      if (cls.equals("InputLayer") && i != 0) {
        throw fail("Sequential model '" + name + "' has an InputLayer at position " + i);
      }
      layers.add(new LayerNode(lname, cls, lc, calls, nested));
      previous = new TensorRef(lname, 0, 0);
      i++;
    }
    TensorRef input = new TensorRef(layers.get(0).name(), 0, 0);
    return new ModelSpec(name, "Sequential", List.copyOf(layers), List.of(input), List.of(previous));
  }

  private ModelSpec functional(String cls, JsonNode config) {
    if (config == null || !config.has("layers")) {
      throw fail(cls + " config has no \"layers\"");
    }
    String name = config.path("name").asText("model");
    List<LayerNode> layers = new ArrayList<>();
    for (JsonNode lj : config.get("layers")) {
      String lcls = className(lj);
      String lname = layerName(lj);
      List<List<TensorRef>> calls = new ArrayList<>();
      for (JsonNode node : lj.path("inbound_nodes")) {
        calls.add(inboundNode(node, lname));
      }
      ModelSpec nested = MODEL_CLASSES.contains(lcls) ? model(lj) : null;
      layers.add(new LayerNode(lname, lcls, lj.path("config"), List.copyOf(calls), nested));
    }
    ModelSpec spec = new ModelSpec(name, cls, List.copyOf(layers), endpoints(config.get("input_layers"), name),
        endpoints(config.get("output_layers"), name));
    checkNodeIndices(spec);
    return spec;
  }

  /**
   * Refuses a reference to a call a layer never makes ({@code ["conv", 99, 0]}): the graph builder
   * would otherwise take some other call's output and the model would compute something else.
   * Node indices count the layer's calls in this config; a nested model's own build may count as
   * node 0 (older Keras), so it may be referenced one past its calls here.
   */
  private void checkNodeIndices(ModelSpec spec) {
    java.util.Map<String, LayerNode> byName = new java.util.HashMap<>();
    spec.layers().forEach(l -> byName.put(l.name(), l));
    for (LayerNode layer : spec.layers()) {
      for (List<TensorRef> call : layer.calls()) {
        for (TensorRef r : call) {
          checkNodeIndex(r, byName, "layer '" + layer.name() + "'");
        }
      }
    }
    for (TensorRef r : spec.inputs()) {
      checkNodeIndex(r, byName, "model '" + spec.name() + "' input_layers");
    }
    for (TensorRef r : spec.outputs()) {
      checkNodeIndex(r, byName, "model '" + spec.name() + "' output_layers");
    }
  }

  private void checkNodeIndex(TensorRef r, java.util.Map<String, LayerNode> byName, String where) {
    LayerNode target = byName.get(r.layer());
    if (target == null) {
      return;  // an unknown layer is reported by the graph builder, naming the layers it knows
    }
    int calls = Math.max(1, target.calls().size());
    int last = target.isModel() ? calls : calls - 1;
    if (r.node() > last) {
      throw fail(where + " takes node " + r.node() + " of layer '" + r.layer() + "', which has "
          + (last == 0 ? "only node 0" : "nodes 0 to " + last) + " (" + target.calls().size() + " inbound nodes)");
    }
  }

  /** Keras 2: {@code [["a",0,0,{}], ...]}; Keras 3: {@code {"args": [...], "kwargs": {...}}}. */
  private List<TensorRef> inboundNode(JsonNode node, String layer) {
    List<TensorRef> refs = new ArrayList<>();
    if (node.isArray()) {
      for (JsonNode r : node) {
        refs.add(ref(r, layer));
      }
    } else if (node.isObject() && node.has("args")) {
      collectKerasTensors(node.get("args"), refs, layer);
    } else {
      throw fail("layer '" + layer + "': unrecognised inbound node " + abbreviate(node));
    }
    if (refs.isEmpty()) {
      throw fail("layer '" + layer + "': inbound node without input tensors");
    }
    return List.copyOf(refs);
  }

  private void collectKerasTensors(JsonNode n, List<TensorRef> out, String layer) {
    if (n.isArray()) {
      for (JsonNode c : n) {
        collectKerasTensors(c, out, layer);
      }
    } else if (n.isObject() && "__keras_tensor__".equals(n.path("class_name").asText())) {
      out.add(ref(n.path("config").path("keras_history"), layer));
    }
  }

  /** {@code [layer, node, tensor]}: a layer name and two non-negative int indices. */
  private TensorRef ref(JsonNode r, String layer) {
    if (!r.isArray() || r.size() < 3 || !r.get(0).isTextual() || !index(r.get(1)) || !index(r.get(2))) {
      throw fail("layer '" + layer + "': malformed tensor reference " + abbreviate(r)
          + ", expected [layer name, node index, tensor index] with indices as non-negative ints");
    }
    return new TensorRef(r.get(0).asText(), r.get(1).asInt(), r.get(2).asInt());
  }

  private static boolean index(JsonNode n) {
    return n.isIntegralNumber() && n.canConvertToInt() && n.asInt() >= 0;
  }

  private static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  /** {@code input_layers} is a list of triples, or (Keras 3, single tensor) one flat triple. */
  private List<TensorRef> endpoints(JsonNode list, String model) {
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw fail("model '" + model + "' config lacks input_layers/output_layers");
    }
    if (list.get(0).isTextual()) {
      return List.of(ref(list, model));
    }
    List<TensorRef> refs = new ArrayList<>();
    for (JsonNode r : list) {
      refs.add(ref(r, model));
    }
    return List.copyOf(refs);
  }

  private static String className(JsonNode lj) {
    return lj.path("class_name").asText("");
  }

  private String layerName(JsonNode lj) {
    String n = lj.path("config").path("name").asText(null);
    if (n == null) {
      n = lj.path("name").asText(null);
    }
    if (n == null) {
      throw fail("a layer of class '" + className(lj) + "' has no name");
    }
    return n;
  }

  /** The batch shape an input declares ({@code batch_input_shape}, {@code batch_shape}), or null. */
  public static @Nullable ArrayNode batchShape(JsonNode layerConfig) {
    for (String key : new String[] {"batch_input_shape", "batch_shape"}) {
      JsonNode s = layerConfig.get(key);
      if (s != null && s.isArray()) {
        return (ArrayNode) s;
      }
    }
    JsonNode s = layerConfig.get("input_shape");
    if (s != null && s.isArray()) {
      ArrayNode withBatch = JsonNodeFactory.instance.arrayNode();
      withBatch.addNull();
      s.forEach(withBatch::add);
      return withBatch;
    }
    return null;
  }

  private ModelFormatException fail(String message) {
    return new ModelFormatException(source, message);
  }
}
