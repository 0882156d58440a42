package dev.convlens.bridge.export;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSource;
import dev.convlens.bridge.keras.WeightSpec;
import dev.convlens.bridge.spi.ModelGraph;
import dev.convlens.bridge.spi.ModelVariable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The current values of a model's variables, read from its session: after training they differ
 * from what the model was loaded with. As a {@link WeightSource} (keyed by layer path) they rebuild,
 * save or export the trained model.
 */
public final class ModelWeights implements WeightSource {
  private final Map<List<String>, List<WeightArray>> byLayer;

  private ModelWeights(Map<List<String>, List<WeightArray>> byLayer) {
    this.byLayer = byLayer;
  }

  /** A snapshot of every variable of {@code model}, taken now. */
  public static ModelWeights of(ModelGraph model) {
    Map<ModelVariable, FloatTensor> values = model.readVariables(model.variables());
    Map<List<String>, List<WeightArray>> byLayer = new LinkedHashMap<>();
    for (ModelVariable v : model.variables()) {
      byLayer.computeIfAbsent(v.layerPath(), k -> new ArrayList<>())
          .add(new WeightArray(v.spec().name() + ":0", Objects.requireNonNull(values.get(v))));
    }
    byLayer.replaceAll((k, list) -> List.copyOf(list));
    return new ModelWeights(java.util.Collections.unmodifiableMap(byLayer));
  }

  /** Every layer path with weights, in the model's variable order, with the weights in declaration order. */
  public Map<List<String>, List<WeightArray>> layers() {
    return byLayer;
  }

  @Override
  public List<WeightArray> weights(List<String> layerPath, String layerClass, List<WeightSpec> expected) {
    return byLayer.getOrDefault(layerPath, List.of());
  }
}
