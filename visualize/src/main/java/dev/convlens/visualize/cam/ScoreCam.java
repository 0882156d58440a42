package dev.convlens.visualize.cam;

/**
 * Score-CAM (Wang et al. 2020): no gradients; each channel's activation map, upsampled to the
 * input and scaled to [0, 1], masks the input, and the weight of the channel is how much the
 * masked input raises the class probability over the all-zero baseline. The masked forward
 * passes are batched by the explainer.
 */
final class ScoreCam extends CamAlgorithm {
  @Override
  ScoreKind score() {
    return ScoreKind.NONE;
  }

  @Override
  double[] weights(LayerMaps m) {
    return m.channelScores();
  }
}
