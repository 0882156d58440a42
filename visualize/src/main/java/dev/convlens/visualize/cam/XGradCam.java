package dev.convlens.visualize.cam;

/**
 * XGrad-CAM (Fu et al. 2020): the channel weight is the activation-weighted mean of the logit's
 * gradient, {@code w_k = sum_ij(g_ijk A_ijk) / (sum_ij A_ijk + 1e-7)}, then
 * {@code map = sum_k w_k A_k}. The epsilon is pytorch-grad-cam's, so a channel that is zero
 * everywhere gets weight 0 instead of NaN.
 */
final class XGradCam extends CamAlgorithm {
  private static final double EPS = 1e-7;

  @Override
  ScoreKind score() {
    return ScoreKind.LOGIT;
  }

  @Override
  double[] weights(LayerMaps m) {
    double[] ga = new double[m.channels];
    double[] sumA = new double[m.channels];
    for (int p = 0; p < m.positions(); p++) {
      for (int k = 0; k < m.channels; k++) {
        double a = m.a(p, k);
        ga[k] += m.g(p, k) * a;
        sumA[k] += a;
      }
    }
    double[] w = new double[m.channels];
    for (int k = 0; k < m.channels; k++) {
      w[k] = ga[k] / (sumA[k] + EPS);
    }
    return w;
  }
}
