package dev.convlens.bridge.keras;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A model config normalised to one functional form: layers in config order, the model's input
 * and output tensors. Sequential configs (both the bare-list and the named form) become a chain.
 */
public record ModelSpec(String name, String className, List<LayerNode> layers, List<TensorRef> inputs, List<TensorRef> outputs) {
  public @Nullable LayerNode layer(String layerName) {
    for (LayerNode l : layers) {
      if (l.name().equals(layerName)) {
        return l;
      }
    }
    return null;
  }
}
