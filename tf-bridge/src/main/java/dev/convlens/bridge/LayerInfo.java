package dev.convlens.bridge;

import java.util.List;

/**
 * One layer as {@code model.summary()} shows it: nested path ({@code vgg16/block5_conv3}), Keras
 * name and class, output shape (batch axis -1), parameter counts and the layers feeding it.
 */
public record LayerInfo(String path, String name, String className, long[] outputShape, long parameters,
    long trainableParameters, List<String> inbound, int depth) {
  /** True for the rank-4 (batch, height, width, channels) outputs convnet visualizations work on. */
  public boolean isSpatial() {
    return outputShape.length == 4;
  }
}
