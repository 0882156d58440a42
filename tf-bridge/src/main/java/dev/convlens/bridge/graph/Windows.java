package dev.convlens.bridge.graph;

import java.util.Arrays;
import org.tensorflow.ndarray.Shape;

/**
 * Checks a sliding window (a convolution kernel or a pooling window) against the height and width
 * of the NHWC input it slides over, where those are known at load: TF's shape inference would
 * otherwise either reject the op with its own wording or, for unknown sizes, fail only at predict.
 */
final class Windows {
  /**
   * A kernel may be wider than its input under 'same' padding (a 3x3 kernel on a 1x1 map), but
   * beyond a few times the input its extra taps only ever meet padding while TF still computes
   * them: a 2000x2000 kernel on an 8x8 input takes 16 s and gigabytes per image.
   */
  static final int MAX_KERNEL_TO_INPUT = 3;
  /** Kernels up to this size are accepted on any input (a 7x7 kernel on a 1x1 map of a small-input rebuild). */
  static final int ALWAYS_ACCEPTED_KERNEL = 64;

  private Windows() {}

  /**
   * Refuses a window with which the layer's output would have no rows or columns ('valid' padding,
   * window wider than the input) and a kernel too wide for its input (see {@link #MAX_KERNEL_TO_INPUT}).
   *
   * @param field the config field of the window size, for the message
   * @param dilation the dilation per axis ({1, 1} for pooling)
   * @param kernel true for convolution kernels, whose taps TF computes one by one
   */
  static void check(LayerContext c, String field, long[] window, long[] dilation, String padding, boolean kernel) {
    Shape s = c.inputShape(0);
    if (s.numDimensions() != 4) {
      throw c.invalid("needs an input of rank 4 (batch, height, width, channels), got shape " + s);
    }
    for (int axis = 0; axis < 2; axis++) {
      long in = s.get(axis + 1);
      if (in < 0) {
        continue;  // unknown until predict
      }
      long effective = (window[axis] - 1) * dilation[axis] + 1;
      if (padding.equals("VALID") && effective > in) {
        throw c.invalid("'" + field + "' " + Arrays.toString(window) + (dilation[axis] > 1 ? " with 'dilation_rate' "
            + Arrays.toString(dilation) : "") + " and 'valid' padding does not fit input shape " + s
            + ": the output would have no " + (axis == 0 ? "rows" : "columns"));
      }
      if (kernel && window[axis] > Math.max(MAX_KERNEL_TO_INPUT * in, ALWAYS_ACCEPTED_KERNEL)) {
        throw c.invalid("'" + field + "' " + Arrays.toString(window) + " is more than " + MAX_KERNEL_TO_INPUT
            + " times the input it slides over (shape " + s + "): most of its taps would only ever see padding");
      }
    }
  }
}
