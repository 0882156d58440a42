package dev.convlens.spark;

import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/** What one operation adds to each row: the columns, known on the driver, and their values for a batch on an executor. */
interface RowStep extends Serializable {
  /** The added columns, in order. */
  List<StructField> columns();

  /**
   * The added columns' values for each row of a batch, in row order (one graph pass per batch
   * where the operation allows). Throws a {@code ConvlensException} when the batch cannot be run.
   */
  List<Object[]> apply(ImageClassifier classifier, List<Row> rows, List<InputImage> images);
}
