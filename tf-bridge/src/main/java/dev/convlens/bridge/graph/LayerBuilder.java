package dev.convlens.bridge.graph;

import dev.convlens.bridge.keras.WeightSpec;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Rebuilds one Keras layer class from TF Java ops. Registered by class name in {@link LayerRegistry}. */
public interface LayerBuilder {
  /**
   * The weights the layer declares, in Keras order (the order weight files store them), sized from
   * the config and the input shapes. Also the place to reject configs that cannot be rebuilt.
   */
  default List<WeightSpec> weights(LayerContext c) {
    return List.of();
  }

  /** Applies the layer to its inputs; {@code weights} follows {@link #weights(LayerContext)}. */
  LayerOutput call(LayerContext c, List<Operand<TFloat32>> inputs, List<Operand<TFloat32>> weights);
}
