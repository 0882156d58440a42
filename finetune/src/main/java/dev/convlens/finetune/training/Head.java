package dev.convlens.finetune.training;

import dev.convlens.bridge.InvalidInputException;

/**
 * The new classifier put on a base: pooling ({@code Flatten} or {@code GlobalAveragePooling2D}),
 * {@code Dense(units, relu)} (left out when {@code units} is 0), {@code Dropout(dropout)} (left out
 * when 0), and the output {@code Dense(1, sigmoid)} for binary labels or
 * {@code Dense(classes, softmax)} for categorical ones. Immutable.
 */
public record Head(Pooling pooling, int units, double dropout) {
  public enum Pooling { FLATTEN, GLOBAL_AVERAGE }

  public Head {
    if (pooling == null) {
      throw new InvalidInputException("head pooling is null (FLATTEN or GLOBAL_AVERAGE)");
    }
    if (units < 0) {
      throw new InvalidInputException("head units must be >= 0 (0: no hidden Dense layer), got " + units);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new InvalidInputException("head dropout must be in [0, 1), got " + dropout);
    }
  }

  /** The book's head: Flatten, Dense(256, relu), Dropout(0.5), output Dense. */
  public static Head book() {
    return new Head(Pooling.FLATTEN, 256, 0.5);
  }

  public Head withPooling(Pooling p) {
    return new Head(p, units, dropout);
  }

  public Head withUnits(int n) {
    return new Head(pooling, n, dropout);
  }

  public Head withDropout(double rate) {
    return new Head(pooling, units, rate);
  }
}
