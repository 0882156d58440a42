package dev.convlens.spark;

import dev.convlens.bridge.InvalidInputException;
import java.io.Serializable;

/**
 * What {@link ConvlensSpark#predict} adds to each row. Immutable; start from {@link #defaults()}.
 *
 * @param rows the image column, batch size and error handling
 * @param topK how many classes go into {@code predictions}, best first
 * @param withOutput whether the whole output vector goes into {@code output} too
 */
public record PredictOptions(RowOptions rows, int topK, boolean withOutput) implements Serializable {
  private static final long serialVersionUID = 1L;

  public PredictOptions {
    InvalidInputException.requireNonNull(rows, "rows");
    if (topK < 1) {
      throw new InvalidInputException("topK must be at least 1, got " + topK);
    }
  }

  /** The top 5 classes, no output vector, {@link RowOptions#defaults()}. */
  public static PredictOptions defaults() {
    return new PredictOptions(RowOptions.defaults(), 5, false);
  }

  public PredictOptions withRows(RowOptions rows) {
    return new PredictOptions(rows, topK, withOutput);
  }

  public PredictOptions withTopK(int k) {
    return new PredictOptions(rows, k, withOutput);
  }

  public PredictOptions withOutput(boolean on) {
    return new PredictOptions(rows, topK, on);
  }
}
