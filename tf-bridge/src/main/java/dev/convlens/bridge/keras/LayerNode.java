package dev.convlens.bridge.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One layer of a model config: its Keras name and class, its own config, the inputs of each call
 * (one list per inbound node) and, for a nested Sequential/Functional model, that model's spec.
 */
public record LayerNode(String name, String className, JsonNode config, List<List<TensorRef>> calls, @Nullable ModelSpec nested) {
  public boolean isModel() {
    return nested != null;
  }
}
