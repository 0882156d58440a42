package dev.convlens.visualize.cam;

/**
 * Grad-CAM as the book has it (Chollet 2017, listings 5.41-5.43): score = the class probability,
 * weights = gradients averaged over the positions, map = the mean over channels of the weighted
 * activations.
 */
final class BookGradCam extends CamAlgorithm {
  @Override
  ScoreKind score() {
    return ScoreKind.PROBABILITY;
  }

  @Override
  double[] weights(LayerMaps m) {
    return pooledGradients(m);
  }

  @Override
  double scale(LayerMaps m) {
    return 1.0 / m.channels;
  }
}
