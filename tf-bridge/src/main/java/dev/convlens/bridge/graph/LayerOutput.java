package dev.convlens.bridge.graph;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A layer call's output and, where the layer fuses an activation (Conv2D, Dense, Activation),
 * the tensor before it: Grad-CAM's logit variant needs the pre-softmax score.
 */
public record LayerOutput(Operand<TFloat32> output, Operand<TFloat32> preActivation) {
  public static LayerOutput of(Operand<TFloat32> output) {
    return new LayerOutput(output, output);
  }
}
