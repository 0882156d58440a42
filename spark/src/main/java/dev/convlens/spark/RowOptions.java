package dev.convlens.spark;

import dev.convlens.bridge.InvalidInputException;
import java.io.Serializable;

/**
 * Where each row's image is and how rows go through the model. Immutable; start from {@link #defaults()}.
 *
 * @param imageColumn a binary column of encoded images (PNG, JPEG, GIF, BMP; {@code content} of
 *     Spark's {@code binaryFile} source) or an image struct (Spark's {@code image} source)
 * @param batchSize rows per graph run, within a partition (the last batch of a partition may be smaller)
 * @param onError what a row whose image cannot be read or run does: fail the job, or get its
 *     message in the {@link #ERROR_COLUMN} column with nulls in the result columns
 */
public record RowOptions(String imageColumn, int batchSize, OnError onError) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The column holding a failed row's message (null for rows that went through) under {@link OnError#ERROR_COLUMN}. */
  public static final String ERROR_COLUMN = "error";

  /** What a row whose image cannot be decoded or run does. */
  public enum OnError {
    /** The task fails with the row named (Spark retries it, then fails the job); never the executor. */
    FAIL,
    /** The row gets the message in {@code error} and nulls in the result columns; the other rows go on. */
    ERROR_COLUMN
  }

  public RowOptions {
    InvalidInputException.requireNonNull(imageColumn, "imageColumn");
    InvalidInputException.requireNonNull(onError, "onError");
    if (batchSize < 1) {
      throw new InvalidInputException("batchSize must be at least 1, got " + batchSize);
    }
  }

  /** The {@code content} column of {@code spark.read().format("binaryFile")}, 32 rows per run, errors in a column. */
  public static RowOptions defaults() {
    return new RowOptions("content", 32, OnError.ERROR_COLUMN);
  }

  public RowOptions withImageColumn(String column) {
    return new RowOptions(column, batchSize, onError);
  }

  public RowOptions withBatchSize(int rows) {
    return new RowOptions(imageColumn, rows, onError);
  }

  public RowOptions withOnError(OnError onError) {
    return new RowOptions(imageColumn, batchSize, onError);
  }
}
