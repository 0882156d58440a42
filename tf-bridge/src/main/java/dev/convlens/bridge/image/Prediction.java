package dev.convlens.bridge.image;

import java.util.Locale;

/**
 * One decoded class score, like an entry of Keras' {@code decode_predictions}: the class index,
 * its identifier (the WordNet id for ImageNet, empty for plain class-name lists), its label and
 * the model's score for it.
 */
public record Prediction(int index, String wnid, String label, float score) {
  /** The book's line for this prediction at 1-based {@code rank}, e.g. {@code 1. African_elephant (386) 0.9094}. */
  public String format(int rank) {
    return String.format(Locale.ROOT, "%d. %s (%d) %.4f", rank, label, index, score);
  }
}
