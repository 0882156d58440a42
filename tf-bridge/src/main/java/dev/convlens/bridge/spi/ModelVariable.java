package dev.convlens.bridge.spi;

import dev.convlens.bridge.keras.WeightSpec;
import java.util.List;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * One weight as a graph variable: a {@code VariableV2} with a flat name (SavedModel export only
 * saves those, and optimizer slots break on '/'), set by feeding {@code initValue} to {@code assign}.
 */
public record ModelVariable(String name, List<String> layerPath, WeightSpec spec, boolean layerTrainable,
    Variable<TFloat32> variable, Placeholder<TFloat32> initValue, Assign<TFloat32> assign) {
  public String layer() {
    return String.join("/", layerPath);
  }
}
