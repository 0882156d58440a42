package dev.convlens.finetune.training;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ModelVariable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a base model's current weights into the same layers nested in a classifier: weight
 * {@code w} of layer {@code [layer...]} in the base is weight {@code w} of {@code [baseName, layer...]}
 * there. Every base weight must find its place and vice versa.
 */
final class BaseWeights {
  private BaseWeights() {}

  static void copy(KerasModel base, KerasModel classifier) {
    Map<String, ModelVariable> byPath = new HashMap<>();
    for (ModelVariable v : base.graph().variables()) {
      byPath.put(v.layer() + ":" + v.spec().name(), v);
    }
    Map<ModelVariable, ModelVariable> targets = new LinkedHashMap<>();
    for (ModelVariable v : classifier.graph().variables()) {
      List<String> path = v.layerPath();
      if (path.size() < 2 || !path.get(0).equals(base.name())) {
        continue;
      }
      ModelVariable from = byPath.remove(String.join("/", path.subList(1, path.size())) + ":" + v.spec().name());
      if (from == null || !from.variable().shape().equals(v.variable().shape())) {
        throw new IllegalStateException("weight '" + v.name() + "' of model '" + classifier.name()
            + "' has no counterpart of shape " + v.variable().shape() + " in model '" + base.name() + "'");
      }
      targets.put(from, v);
    }
    if (!byPath.isEmpty()) {
      throw new IllegalStateException("weights of model '" + base.name() + "' missing in the classifier: "
          + byPath.keySet());
    }
    Map<ModelVariable, FloatTensor> values = base.graph().readVariables(targets.keySet());
    Map<ModelVariable, FloatTensor> assign = new LinkedHashMap<>();
    values.forEach((from, value) -> assign.put(targets.get(from), value));
    classifier.graph().assignVariables(assign);
  }
}
