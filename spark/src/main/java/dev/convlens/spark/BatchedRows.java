package dev.convlens.spark;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.ImageReadException;
import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.jspecify.annotations.Nullable;

/**
 * A partition's rows with the step's columns added, read and run {@code batchSize} rows at a time
 * (never the whole partition at once). A row whose image cannot be read or run fails the task or
 * gets its message in the error column, by {@link RowOptions#onError}; when a batch fails, its
 * rows are run one by one so that only the culprit gets the error (or is named by the failure).
 */
final class BatchedRows implements Iterator<Row> {
  private final Iterator<Row> in;
  private final RowOptions options;
  private final int imageField;
  private final int nameField;
  private final RowStep step;
  private final Supplier<ImageClassifier> classifier;
  private final int added;
  private final ArrayDeque<Row> ready = new ArrayDeque<>();
  private long rowsRead;

  /**
   * @param nameField a string column naming the row in error messages ({@code path}), or -1 (an image
   *     struct's {@code origin} names it then)
   * @param classifier the model, asked for when the first batch runs (an empty partition loads nothing)
   */
  BatchedRows(Iterator<Row> in, RowOptions options, int imageField, int nameField, RowStep step,
      Supplier<ImageClassifier> classifier) {
    this.in = in;
    this.options = options;
    this.imageField = imageField;
    this.nameField = nameField;
    this.step = step;
    this.classifier = classifier;
    this.added = step.columns().size();
  }

  @Override
  public boolean hasNext() {
    if (ready.isEmpty() && in.hasNext()) {
      runBatch();
    }
    return !ready.isEmpty();
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  private void runBatch() {
    List<Row> rows = new ArrayList<>();
    while (rows.size() < options.batchSize() && in.hasNext()) {
      rows.add(in.next());
    }
    Object[][] values = new Object[rows.size()][];
    String[] errors = new String[rows.size()];
    List<Integer> readable = new ArrayList<>();
    List<InputImage> images = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      try {
        images.add(ImageRows.read(rows.get(i), imageField));
        readable.add(i);
      } catch (ConvlensException e) {
        errors[i] = fail(rows.get(i), rowsRead + i, rowFault(e));
      }
    }
    if (!readable.isEmpty()) {
      ImageClassifier model = classifier.get(); // a model that cannot load fails the task, not the rows
      try {
        fill(model, values, rows, readable, images);
      } catch (ConvlensException batchFailed) {
        rowFault(batchFailed);
        if (readable.size() == 1) {
          int i = readable.get(0);
          errors[i] = fail(rows.get(i), rowsRead + i, batchFailed);
        } else {
          for (int k = 0; k < readable.size(); k++) {
            int i = readable.get(k);
            try {
              fill(model, values, rows, List.of(i), List.of(images.get(k)));
            } catch (ConvlensException e) {
              errors[i] = fail(rows.get(i), rowsRead + i, rowFault(e));
            }
          }
        }
      }
    }
    for (int i = 0; i < rows.size(); i++) {
      ready.add(output(rows.get(i), values[i], errors[i]));
    }
    rowsRead += rows.size();
  }

  private void fill(ImageClassifier model, Object[][] values, List<Row> rows, List<Integer> which,
      List<InputImage> images) {
    List<Row> batch = new ArrayList<>(which.size());
    which.forEach(i -> batch.add(rows.get(i)));
    List<Object[]> out = step.apply(model, batch, images);
    for (int k = 0; k < which.size(); k++) {
      values[which.get(k)] = out.get(k);
    }
  }

  /**
   * {@code e} when a row's input caused it (an image that cannot be read, a class or method that
   * does not exist); anything else (a cancelled or killed task, TensorFlow out of memory, a closed
   * model) is not the row's fault and fails the task, so Spark retries it.
   */
  private static ConvlensException rowFault(ConvlensException e) {
    if (e instanceof InvalidInputException || e instanceof ImageReadException) {
      return e;
    }
    throw e;
  }

  /** The message for the error column, or the task's failure under {@link RowOptions.OnError#FAIL}. */
  private String fail(Row row, long index, ConvlensException e) {
    String origin = ImageRows.origin(row, imageField);
    String where = nameField >= 0 && !row.isNullAt(nameField) ? row.getString(nameField)
        : origin != null ? origin : "row " + index + " of this partition";
    if (options.onError() == RowOptions.OnError.FAIL) {
      throw new ConvlensException(where + ": " + e.getMessage(), e);
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private Row output(Row row, Object @Nullable [] values, @Nullable String error) {
    int n = row.length();
    boolean errorColumn = options.onError() == RowOptions.OnError.ERROR_COLUMN;
    Object[] out = new Object[n + added + (errorColumn ? 1 : 0)];
    for (int i = 0; i < n; i++) {
      out[i] = row.get(i);
    }
    if (values != null) {
      System.arraycopy(values, 0, out, n, added);
    }
    if (errorColumn) {
      out[n + added] = error;
    }
    return RowFactory.create(out);
  }
}
