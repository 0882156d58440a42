package dev.convlens.bridge.graph;

import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras' default initial values, for architectures loaded without weights (benchmarks, summaries,
 * training from scratch): Glorot-uniform kernels, zero biases and betas, unit gammas and variances.
 */
final class InitialWeights {
  private InitialWeights() {}

  static List<WeightArray> keras(List<WeightSpec> specs, long seed, String layer) {
    SplittableRandom random = new SplittableRandom(seed ^ layer.hashCode());
    List<WeightArray> out = new ArrayList<>();
    for (WeightSpec s : specs) {
      float[] v = new float[(int) s.count()];
      switch (s.name()) {
        case "gamma", "moving_variance" -> java.util.Arrays.fill(v, 1f);
        case "bias", "beta", "moving_mean" -> { }
        default -> {
          double limit = Math.sqrt(6.0 / fans(s.shape()));
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
          }
        }
      }
      out.add(new WeightArray(s.name() + ":0", new FloatArray(s.shape().clone(), v)));
    }
    return out;
  }

  /** fan_in + fan_out as Keras computes them: receptive field times the last two axes. */
  private static double fans(long[] shape) {
    if (shape.length < 2) {
      return 2.0 * Math.max(1, shape.length == 1 ? shape[0] : 1);
    }
    double receptive = 1;
    for (int i = 0; i < shape.length - 2; i++) {
      receptive *= shape[i];
    }
    return receptive * shape[shape.length - 2] + receptive * shape[shape.length - 1];
  }
}
