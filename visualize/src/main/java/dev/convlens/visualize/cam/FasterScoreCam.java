package dev.convlens.visualize.cam;

/**
 * Faster-Score-CAM (tf-keras-vis' {@code ScoreCAM(max_N=N)}): Score-CAM over only the N channels
 * of largest activation variance over the positions ({@link CamOptions#fasterScoreCamChannels()});
 * the other channels weigh 0. N masked runs per image instead of K. The weights are Score-CAM's
 * (probability increase over the all-zero input, no softmax over the channels).
 */
final class FasterScoreCam extends CamAlgorithm {
  @Override
  ScoreKind score() {
    return ScoreKind.NONE;
  }

  @Override
  double[] weights(LayerMaps m) {
    return m.channelScores();
  }
}
