package dev.convlens.bridge.spi;

import dev.convlens.bridge.LayerTrait;
import java.util.List;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A layer of the rebuilt graph: its nested path ({@code vgg16/block5_conv3}), Keras class, the
 * output of its first call (and the pre-activation tensor), the layers feeding it, its weights and
 * its traits from the layer registry.
 */
public record LayerHandle(String path, String name, String className, int depth, Operand<TFloat32> output,
    Operand<TFloat32> preActivation, List<String> inbound, List<ModelVariable> variables, boolean isModel,
    Set<LayerTrait> traits) {
  public boolean is(LayerTrait trait) {
    return traits.contains(trait);
  }

  public long parameterCount() {
    return variables.stream().mapToLong(v -> v.spec().count()).sum();
  }

  public long trainableParameterCount() {
    return variables.stream().filter(v -> v.layerTrainable() && v.spec().trainable()).mapToLong(v -> v.spec().count()).sum();
  }

  /** The static output shape, batch axis as -1. */
  public long[] outputShape() {
    return output.shape().asArray();
  }
}
