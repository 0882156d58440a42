package dev.convlens.visualize.cam;

/**
 * EigenGrad-CAM (pytorch-grad-cam's {@code EigenGradCAM}): Eigen-CAM on the element-wise product
 * of the class logit's gradients and the activations, {@code g * A}, so the component follows the
 * class: the projection of the centered {@code [h*w][K]} products on their first principal
 * component, with Eigen-CAM's sign rule. The weights are that component. Already a projection, so
 * eigen smoothing leaves it as it is.
 */
final class EigenGradCam extends EigenCam {
  @Override
  ScoreKind score() {
    return ScoreKind.LOGIT;
  }

  @Override
  double sample(LayerMaps m, int p, int k) {
    return (double) m.g(p, k) * m.a(p, k);
  }
}
