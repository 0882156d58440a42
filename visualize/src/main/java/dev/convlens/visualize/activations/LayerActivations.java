package dev.convlens.visualize.activations;

import dev.convlens.bridge.InvalidInputException;
import java.util.List;

/** The outputs of several layers for one batch, in the order they were asked for. */
public record LayerActivations(List<LayerOutput> layers) {
  public LayerActivations {
    if (layers == null || layers.stream().anyMatch(o -> o == null)) {
      throw new InvalidInputException("layer outputs are null: " + layers);
    }
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new InvalidInputException("no layer outputs");
    }
  }

  /** A layer's output by the path or name it was fetched with. */
  public LayerOutput get(String layer) {
    for (LayerOutput o : layers) {
      if (o.layer().equals(layer)) {
        return o;
      }
    }
    List<LayerOutput> nested = layers.stream().filter(o -> o.layer().endsWith("/" + layer)).toList();
    if (nested.size() == 1) {
      return nested.get(0);
    }
    throw new InvalidInputException("no activations of layer '" + layer + "'; fetched: "
        + String.join(", ", layers.stream().map(LayerOutput::layer).toList()));
  }

  public int batchSize() {
    return layers.get(0).batchSize();
  }

  /** Per-layer statistics over the whole batch, in layer order. */
  public List<LayerStats> stats() {
    return layers.stream().map(LayerOutput::stats).toList();
  }

  /** Per-layer statistics of one image of the batch. */
  public List<LayerStats> stats(int image) {
    return layers.stream().map(o -> o.image(image).stats()).toList();
  }
}
