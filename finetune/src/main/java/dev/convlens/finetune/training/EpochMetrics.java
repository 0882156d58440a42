package dev.convlens.finetune.training;

/**
 * The metrics of one epoch as Keras' {@code History} records them: training loss and accuracy
 * (means over the epoch's samples, dropout active), validation loss and accuracy (inference mode;
 * NaN without validation data), plus the phase, the wall time and whether the frozen prefix was cached.
 *
 * @param epoch 1-based over the whole run (phases continue the count)
 * @param phaseEpoch 1-based within the phase
 */
public record EpochMetrics(String phase, int epoch, int phaseEpoch, double loss, double accuracy, double valLoss,
    double valAccuracy, double seconds, boolean prefixCached) {
  public boolean hasValidation() {
    return !Double.isNaN(valLoss);
  }
}
