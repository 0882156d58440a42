package dev.convlens.visualize.cam;

/**
 * Grad-CAM++ (Chattopadhyay et al. 2018) with the closed form for an exponential score
 * {@code S = exp(logit)}: the higher derivatives are powers of the logit's gradient g, so
 * {@code alpha = g^2 / (2 g^2 + sum_ab A_ab * g^3)} and {@code w_k = sum_ij alpha_ij relu(g_ij)}
 * (as pytorch-grad-cam computes it).
 */
final class GradCamPlusPlus extends CamAlgorithm {
  private static final double EPS = 1e-6;

  @Override
  ScoreKind score() {
    return ScoreKind.LOGIT;
  }

  @Override
  double[] weights(LayerMaps m) {
    int positions = m.positions();
    double[] sumA = new double[m.channels];
    for (int p = 0; p < positions; p++) {
      for (int k = 0; k < m.channels; k++) {
        sumA[k] += m.a(p, k);
      }
    }
    double[] w = new double[m.channels];
    for (int p = 0; p < positions; p++) {
      for (int k = 0; k < m.channels; k++) {
        double g = m.g(p, k);
        if (g > 0) { // relu(g) = 0 otherwise, and alpha is 0 where g == 0
          double g2 = g * g;
          double alpha = g2 / (2 * g2 + sumA[k] * g2 * g + EPS);
          w[k] += alpha * g;
        }
      }
    }
    return w;
  }
}
