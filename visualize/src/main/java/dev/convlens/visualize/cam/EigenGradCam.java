package dev.convlens.visualize.cam;

/**
 * EigenGrad-CAM (pytorch-grad-cam's {@code EigenGradCAM}): Eigen-CAM on the element-wise product
 * of the class logit's gradients and the activations, {@code g * A}, so the component follows the
 * class: the projection of the centered {@code [h*w][K]} products on their first principal
 * component, with Eigen-CAM's sign rule. The weights are that component. Already a projection, so
 * eigen smoothing leaves it as it is.
 */
final class EigenGradCam extends CamAlgorithm {
  @Override
  ScoreKind score() {
    return ScoreKind.LOGIT;
  }

  @Override
  double[] weights(LayerMaps m) {
    return PrincipalComponent.first(rows(m));
  }

  @Override
  float[] map(LayerMaps m, double[] weights) {
    return PrincipalComponent.project(rows(m), weights);
  }

  @Override
  float[] eigenSmoothedMap(LayerMaps m, double[] weights) {
    return map(m, weights);
  }

  private static double[][] rows(LayerMaps m) {
    double[][] x = new double[m.positions()][m.channels];
    for (int p = 0; p < x.length; p++) {
      for (int k = 0; k < m.channels; k++) {
        x[p][k] = (double) m.g(p, k) * m.a(p, k);
      }
    }
    return PrincipalComponent.centered(x);
  }
}
