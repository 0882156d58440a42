package dev.convlens.bridge.graph;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.keras.Initializer;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Initial values for architectures loaded without weights (benchmarks, summaries, training from
 * scratch), drawn as the initializer each weight's config names: Keras' formulas (fans, the 2-sigma
 * truncation and its 0.8796 stddev correction), seeded per layer. Keras' own random streams are not
 * reproduced, only their distributions.
 */
final class InitialWeights {
  /** Stddev of a unit normal truncated at two sigmas, which variance scaling divides by (as Keras does). */
  private static final double TRUNCATED_STDDEV = .87962566103423978;

  private InitialWeights() {}

  static List<WeightArray> keras(List<WeightSpec> specs, long seed, String layerPath, LayerContext layer) {
    SplittableRandom random = new SplittableRandom(seed ^ layerPath.hashCode());
    List<WeightArray> out = new ArrayList<>();
    for (WeightSpec s : specs) {
      float[] v = new float[(int) s.count()];
      fill(v, s, random, layer);
      for (float f : v) {
        if (!Float.isFinite(f)) {
          // A config's initializer arguments (a constant of 1e39, a stddev of 1e300) are not checked on parsing.
          throw layer.invalid("the initializer of weight '" + s.name() + "' (" + s.initializer()
              + ") draws a non-finite value; fix its arguments or load the model with its weights");
        }
      }
      out.add(new WeightArray(s.name() + ":0", new FloatTensor(s.shape().clone(), v)));
    }
    return out;
  }

  private static void fill(float[] v, WeightSpec s, SplittableRandom random, LayerContext layer) {
    Initializer init = s.initializer();
    switch (init.kind()) {
      case "zeros" -> { }
      case "ones" -> Arrays.fill(v, 1f);
      case "constant" -> Arrays.fill(v, (float) init.scale());
      case "random_uniform" -> uniform(v, random, init.mean(), init.stddev());
      case "random_normal" -> normal(v, random, init.mean(), init.stddev(), false);
      case "truncated_normal" -> normal(v, random, init.mean(), init.stddev(), true);
      case "variance_scaling" -> {
        double n = switch (Objects.requireNonNull(init.mode())) {
          case "fan_in" -> fanIn(s.shape());
          case "fan_out" -> fanOut(s.shape());
          default -> (fanIn(s.shape()) + fanOut(s.shape())) / 2.0;
        };
        double variance = init.scale() / Math.max(1, n);
        switch (Objects.requireNonNull(init.distribution())) {
          case "uniform" -> {
            double limit = Math.sqrt(3 * variance);
            uniform(v, random, -limit, limit);
          }
          case "untruncated_normal" -> normal(v, random, 0, Math.sqrt(variance), false);
          default -> normal(v, random, 0, Math.sqrt(variance) / TRUNCATED_STDDEV, true);
        }
      }
      default -> throw layer.invalid("weight '" + s.name() + "' names initializer '" + init.kind()
          + "', which convlens cannot draw; load the model with its weights");
    }
  }

  private static void uniform(float[] v, SplittableRandom random, double low, double high) {
    double half = (high - low) / 2;
    double mid = (high + low) / 2;
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (mid + (random.nextDouble() * 2 - 1) * half);
    }
  }

  private static void normal(float[] v, SplittableRandom random, double mean, double stddev, boolean truncated) {
    for (int i = 0; i < v.length; i++) {
      double z;
      do {
        z = random.nextGaussian();
      } while (truncated && Math.abs(z) > 2);
      v[i] = (float) (mean + z * stddev);
    }
  }

  /** Keras' fans: the receptive field (all axes but the last two) times the input or output axis. */
  private static double fanIn(long[] shape) {
    return shape.length < 2 ? (shape.length == 1 ? shape[0] : 1) : receptive(shape) * shape[shape.length - 2];
  }

  private static double fanOut(long[] shape) {
    return shape.length < 2 ? (shape.length == 1 ? shape[0] : 1) : receptive(shape) * shape[shape.length - 1];
  }

  private static double receptive(long[] shape) {
    double r = 1;
    for (int i = 0; i < shape.length - 2; i++) {
      r *= shape[i];
    }
    return r;
  }
}
