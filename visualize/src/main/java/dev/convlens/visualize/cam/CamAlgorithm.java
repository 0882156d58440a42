package dev.convlens.visualize.cam;

/**
 * One CAM method. As in pytorch-grad-cam, a method only says how the target layer's activations
 * and gradients become channel weights; the map is then {@code scale * sum_k w_k A_k} (before
 * ReLU and normalisation, which the explainer applies to every method alike).
 */
abstract class CamAlgorithm {
  /** The score whose gradients the method needs. */
  abstract ScoreKind score();

  /** The weight of each channel. */
  abstract double[] weights(LayerMaps m);

  /** The factor applied to the weighted sum: 1, or 1/K for the book's mean over channels. */
  double scale(LayerMaps m) {
    return 1;
  }

  /** The raw map {@code [h * w]}, before ReLU and normalisation. */
  float[] map(LayerMaps m, double[] weights) {
    int positions = m.positions();
    double scale = scale(m);
    float[] raw = new float[positions];
    for (int p = 0; p < positions; p++) {
      double sum = 0;
      for (int k = 0; k < m.channels; k++) {
        sum += m.a(p, k) * weights[k];
      }
      raw[p] = (float) (sum * scale);
    }
    return raw;
  }

  /** Gradients averaged over the positions: Grad-CAM's "pooled gradients". */
  static double[] pooledGradients(LayerMaps m) {
    int positions = m.positions();
    double[] pooled = new double[m.channels];
    for (int p = 0; p < positions; p++) {
      for (int k = 0; k < m.channels; k++) {
        pooled[k] += m.g(p, k);
      }
    }
    for (int k = 0; k < m.channels; k++) {
      pooled[k] /= positions;
    }
    return pooled;
  }
}
