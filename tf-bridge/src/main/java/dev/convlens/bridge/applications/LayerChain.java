package dev.convlens.bridge.applications;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Assembles a single-input, single-output chain of layers into the JSON of Keras 2
 * {@code Functional.to_json()}: each layer consumes the previous layer's output (node 0, tensor 0).
 * Every application here is such a chain, so there is no general graph wiring to get wrong.
 */
final class LayerChain {
  private final String modelName;
  private final String inputName;
  private final ArrayNode layers = LayerConfigs.JSON.arrayNode();
  private String last;

  /** Starts the chain with its InputLayer. */
  LayerChain(String modelName, ObjectNode inputConfig) {
    this.modelName = modelName;
    this.inputName = inputConfig.get("name").asText();
    ObjectNode layer = layers.addObject();
    layer.put("class_name", "InputLayer");
    layer.set("config", inputConfig);
    layer.put("name", inputName);
    layer.putArray("inbound_nodes");
    this.last = inputName;
  }

  /** Appends a layer fed by the previous one; its name is taken from its config. */
  LayerChain then(String className, ObjectNode config) {
    String name = config.get("name").asText();
    ObjectNode layer = layers.addObject();
    layer.put("class_name", className);
    layer.set("config", config);
    layer.put("name", name);
    ArrayNode call = layer.putArray("inbound_nodes").addArray().addArray();
    call.add(last).add(0).add(0).addObject();
    last = name;
    return this;
  }

  ObjectNode toModelJson() {
    ObjectNode model = LayerConfigs.JSON.objectNode();
    model.put("class_name", "Functional");
    ObjectNode config = model.putObject("config");
    config.put("name", modelName);
    config.set("layers", layers.deepCopy());
    config.putArray("input_layers").addArray().add(inputName).add(0).add(0);
    config.putArray("output_layers").addArray().add(last).add(0).add(0);
    return model;
  }
}
