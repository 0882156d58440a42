package dev.convlens.visualize.cam;

/**
 * HiResCAM (Draelos and Carin 2020): each position weighs its activation by its own gradient of
 * the class logit, {@code map = sum_k g_k * A_k}, so the map is exactly the element-wise
 * contribution the gradient sees instead of Grad-CAM's position-averaged weights. There is no
 * single weight per channel, so the reported weights are the position means of {@code g}
 * (Grad-CAM's pooled gradients).
 */
final class HiResCam extends CamAlgorithm {
  @Override
  ScoreKind score() {
    return ScoreKind.LOGIT;
  }

  @Override
  double[] weights(LayerMaps m) {
    return pooledGradients(m);
  }

  @Override
  double term(LayerMaps m, double[] weights, int p, int k) {
    return (double) m.g(p, k) * m.a(p, k);
  }
}
