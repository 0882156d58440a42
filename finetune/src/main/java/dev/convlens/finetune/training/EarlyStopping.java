package dev.convlens.finetune.training;

import dev.convlens.bridge.InvalidInputException;
import java.util.Locale;

/**
 * Keras' {@code EarlyStopping}: stop a phase when {@code monitor} has not improved for
 * {@code patience} epochs. With {@code restoreBestWeights} the phase ends with the weights of its
 * best epoch (also when it did not stop early). Immutable.
 *
 * @param monitor {@code val_loss} (lower is better) or {@code val_accuracy} (higher is better)
 */
public record EarlyStopping(String monitor, int patience, boolean restoreBestWeights) {
  public EarlyStopping {
    monitor = monitor == null ? "" : monitor.toLowerCase(Locale.ROOT);
    if (!monitor.equals("val_loss") && !monitor.equals("val_accuracy")) {
      throw new InvalidInputException("early stopping monitors val_loss or val_accuracy, got '" + monitor + "'");
    }
    if (patience < 0) {
      throw new InvalidInputException("patience must be >= 0, got " + patience);
    }
  }

  /** Keras' defaults apart from keeping the best weights: {@code val_loss}, the given patience. */
  public static EarlyStopping onValidationLoss(int patience) {
    return new EarlyStopping("val_loss", patience, true);
  }

  /** Never stops, but keeps the best weights by validation loss. */
  public static EarlyStopping keepBestOnly() {
    return new EarlyStopping("val_loss", Integer.MAX_VALUE, true);
  }

  boolean higherIsBetter() {
    return monitor.equals("val_accuracy");
  }

  double value(EpochMetrics m) {
    return higherIsBetter() ? m.valAccuracy() : m.valLoss();
  }
}
