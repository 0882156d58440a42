package dev.convlens.bridge;

import java.util.List;
import java.util.Set;

/**
 * One layer as {@code model.summary()} shows it: nested path ({@code vgg16/block5_conv3}), Keras
 * name and class, output shape (batch axis -1), parameter counts, the layers feeding it, and its
 * traits from the layer registry.
 */
public record LayerInfo(String path, String name, String className, long[] outputShape, long parameters,
    long trainableParameters, List<String> inbound, int depth, Set<LayerTrait> traits) {
  public LayerInfo {
    inbound = List.copyOf(inbound);
    traits = Set.copyOf(traits);
    outputShape = outputShape.clone();
  }

  @Override
  public long[] outputShape() {
    return outputShape.clone();
  }

  /** True for the rank-4 (batch, height, width, channels) outputs convnet visualizations work on. */
  public boolean isSpatial() {
    return outputShape.length == 4;
  }

  public boolean is(LayerTrait trait) {
    return traits.contains(trait);
  }
}
