package dev.convlens.visualize.cam;

/**
 * Grad-CAM as the later keras.io example has it: score = the class logit (before softmax or
 * sigmoid), weights = gradients averaged over the positions, map = the weighted sum over channels.
 */
final class KerasGradCam extends CamAlgorithm {
  @Override
  ScoreKind score() {
    return ScoreKind.LOGIT;
  }

  @Override
  double[] weights(LayerMaps m) {
    return pooledGradients(m);
  }
}
