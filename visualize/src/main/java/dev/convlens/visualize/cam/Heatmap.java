package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.visualize.render.Resize;

/**
 * A class activation map for one image and target, at the target layer's resolution.
 *
 * @param classIndex the explained class (the top-1 class unless one was asked for); -1 when the
 *     target is not one class (several classes, a region, a similarity)
 * @param probability the model's output for that class; 0 when {@code classIndex} is -1
 * @param predictions the model's whole output for the image, e.g. for {@code decodePredictions}
 * @param raw the map before ReLU and normalisation, {@code [h, w]}
 * @param normalized {@code relu(raw) / max(relu(raw))} in [0, 1], {@code [h, w]}; all zeros when degenerate
 * @param weights the per-channel weights {@code [K]} (Grad-CAM's pooled gradients)
 * @param degenerate true when no position is positive, so nothing points at the class
 * @param target what was explained; the top class resolved to {@code Target.logit(c)} or {@code Target.output(c)}, as the method scored it
 * @param score the target's score at the image: the value whose gradients (or changes) the method follows
 */
public record Heatmap(int classIndex, float probability, FloatTensor predictions, FloatTensor raw,
    FloatTensor normalized, FloatTensor weights, boolean degenerate, Target target, float score) {

  public int height() {
    return (int) normalized.dim(0);
  }

  public int width() {
    return (int) normalized.dim(1);
  }

  /** The normalised map resized bilinearly (half-pixel centers, as cv2.resize) to {@code [height, width]}. */
  public FloatTensor upsampled(int height, int width) {
    if (height < 1 || width < 1) {
      throw new InvalidInputException("heatmap size must be positive, got " + height + "x" + width);
    }
    return FloatTensor.of(Resize.bilinear(normalized.data(), height(), width(), height, width), height, width);
  }

  /** ReLU then divide by the maximum; an all-zero or negative map stays zero (never NaN). */
  static float[] normalize(float[] raw) {
    float max = 0;
    for (float v : raw) {
      if (v > max) { // NaN never counts
        max = v;
      }
    }
    float[] out = new float[raw.length];
    if (max > 0) {
      for (int i = 0; i < raw.length; i++) {
        out[i] = raw[i] > 0 ? raw[i] / max : 0;
      }
    }
    return out;
  }
}
