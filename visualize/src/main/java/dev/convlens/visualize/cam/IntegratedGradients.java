package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;

/**
 * Integrated Gradients of one image: {@code attributions [H, W, C]} in the model's input space,
 * for {@code target} ({@code classIndex} its class, -1 when it is not one class), with {@code steps}
 * trapezoids. Their sum approximates {@code score} minus {@code baselineScore}; the gap shrinks with
 * more steps.
 */
public record IntegratedGradients(FloatTensor attributions, int classIndex, int steps, float score,
    float baselineScore, Target target) {
  /** The sum of the attributions, in double. */
  public double sum() {
    double s = 0;
    for (float v : attributions.data()) {
      s += v;
    }
    return s;
  }
}
