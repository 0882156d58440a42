package dev.convlens.finetune.training;

import dev.convlens.bridge.FloatTensor;

/** Keras' accuracy metrics on fetched probabilities, and a seed mixer. */
final class Metrics {
  private Metrics() {}

  /**
   * Correct predictions in a batch: {@code binary_accuracy} ({@code p > 0.5} equals the 0/1 label)
   * for one output, {@code categorical_accuracy} (argmax equals the one-hot label's) otherwise.
   */
  static long correct(FloatTensor probabilities, FloatTensor labels) {
    int n = (int) probabilities.dim(0);
    int k = (int) probabilities.dim(1);
    float[] p = probabilities.data();
    float[] y = labels.data();
    long correct = 0;
    for (int i = 0; i < n; i++) {
      if (k == 1) {
        correct += (p[i] > 0.5f ? 1f : 0f) == y[i] ? 1 : 0;
      } else {
        int best = 0;
        int truth = 0;
        for (int j = 1; j < k; j++) {
          if (p[i * k + j] > p[i * k + best]) {
            best = j;
          }
          if (y[i * k + j] > y[i * k + truth]) {
            truth = j;
          }
        }
        correct += best == truth ? 1 : 0;
      }
    }
    return correct;
  }

  /** SplitMix64's finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
