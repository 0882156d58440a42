package dev.convlens.visualize.cam;

/**
 * LayerCAM (Jiang et al. 2021): every position weighs its own activation by its positive
 * gradient, {@code map = sum_k relu(g_k) * A_k}; there is no single weight per channel, so the
 * reported weights are the position means of {@code relu(g)}.
 */
final class LayerCam extends CamAlgorithm {
  @Override
  ScoreKind score() {
    return ScoreKind.LOGIT;
  }

  @Override
  double[] weights(LayerMaps m) {
    double[] w = new double[m.channels];
    for (int p = 0; p < m.positions(); p++) {
      for (int k = 0; k < m.channels; k++) {
        w[k] += Math.max(m.g(p, k), 0);
      }
    }
    for (int k = 0; k < m.channels; k++) {
      w[k] /= m.positions();
    }
    return w;
  }

  @Override
  double term(LayerMaps m, double[] weights, int p, int k) {
    return Math.max(m.g(p, k), 0) * m.a(p, k);
  }
}
