package dev.convlens.visualize.cam;

/**
 * One CAM method. As in pytorch-grad-cam, a method only says how the target layer's activations
 * and gradients become channel weights; the map is then {@code scale * sum_k w_k A_k} (before
 * ReLU and normalisation, which the explainer applies to every method alike), or with eigen
 * smoothing the first principal component of the terms {@code scale * w_k A_k}.
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

  /** What channel {@code k} adds at position {@code p}: {@code w_k A[p, k]}; element-wise methods override it. */
  double term(LayerMaps m, double[] weights, int p, int k) {
    return m.a(p, k) * weights[k];
  }

  /** The raw map {@code [h * w]}, before ReLU and normalisation: {@code scale * sum_k term}. */
  float[] map(LayerMaps m, double[] weights) {
    int positions = m.positions();
    double scale = scale(m);
    float[] raw = new float[positions];
    for (int p = 0; p < positions; p++) {
      double sum = 0;
      for (int k = 0; k < m.channels; k++) {
        sum += term(m, weights, p, k);
      }
      raw[p] = (float) (sum * scale);
    }
    return raw;
  }

  /**
   * pytorch-grad-cam's {@code eigen_smooth}: instead of summing the terms over the channels, the
   * projection of the {@code [h*w][K]} terms on their first principal component, with Eigen-CAM's
   * sign rule (pytorch-grad-cam keeps the SVD's arbitrary sign there).
   */
  float[] eigenSmoothedMap(LayerMaps m, double[] weights) {
    double scale = scale(m);
    double[][] terms = new double[m.positions()][m.channels];
    for (int p = 0; p < terms.length; p++) {
      for (int k = 0; k < m.channels; k++) {
        terms[p][k] = scale * term(m, weights, p, k);
      }
    }
    return PrincipalComponent.projection(terms);
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
