package dev.convlens.visualize.cam;

/**
 * Eigen-CAM (Muhammad and Yeasin 2020): the projection of the target activations, seen as
 * {@code h*w} samples of {@code K} channels and centered per channel, on their first principal
 * component. No class and no gradient: every class of an image gets the same map. The weights are
 * that component; its sign is arbitrary, so it is flipped when the projection's most negative
 * value outweighs its most positive (pytorch-grad-cam's sign correction), which makes the map's
 * strongest response positive. Already a projection, so eigen smoothing leaves it as it is.
 */
class EigenCam extends CamAlgorithm {
  @Override
  ScoreKind score() {
    return ScoreKind.NONE;
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

  /** The value the components are taken of at position p, channel k: the activation. */
  double sample(LayerMaps m, int p, int k) {
    return m.a(p, k);
  }

  /** The samples as centered {@code [h*w][K]}. */
  private double[][] rows(LayerMaps m) {
    double[][] x = new double[m.positions()][m.channels];
    for (int p = 0; p < x.length; p++) {
      for (int k = 0; k < m.channels; k++) {
        x[p][k] = sample(m, p, k);
      }
    }
    return PrincipalComponent.centered(x);
  }
}
