package dev.convlens.visualize.cam;

/**
 * Ablation-CAM (Desai and Ramaswamy 2020; pytorch-grad-cam's {@code AblationCAM}): no gradients;
 * the weight of channel k is the relative drop of the target's score y (a class target: the
 * class logit, as pytorch-grad-cam scores the raw model output) when channel k of the target
 * activation is set to zero, {@code w_k = (y - y_k) / |y|}. The ablated activations are fed in
 * place of the target layer's output, K of them (one per channel) in runs of
 * {@link CamOptions#scoreCamBatchSize()}, so only the layers after the target run again.
 *
 * <p>Two departures from pytorch-grad-cam, which divides by {@code y} itself: a negative logit
 * (a sigmoid output below 0.5, any class that is not winning) would flip the sign of every weight
 * and make the map show what speaks against the class, so we divide by {@code |y|}, the same for
 * {@code y > 0}; and {@code |y|} below 1e-7 counts as 1e-7 where pytorch-grad-cam divides by it
 * (infinite or NaN weights). A positive scale of all weights does not change the normalised map.
 * pytorch-grad-cam also sets the channel to {@code min(A) - 1e7} instead of zero when the layer's
 * smallest activation is not 0 (layers without a ReLU); we zero it as the paper does.
 */
final class AblationCam extends CamAlgorithm {
  @Override
  ScoreKind score() {
    return ScoreKind.NONE;
  }

  @Override
  double[] weights(LayerMaps m) {
    return m.channelScores();
  }
}
