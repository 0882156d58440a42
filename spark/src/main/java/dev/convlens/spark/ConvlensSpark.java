package dev.convlens.spark;

import dev.convlens.bridge.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jspecify.annotations.Nullable;

/**
 * Predictions, heatmaps and features of a Keras convnet for every row of a {@code Dataset<Row>} of
 * images: the input rows with columns added, computed lazily on the executors like any Spark
 * transformation (nothing is collected on the driver).
 *
 * <pre>{@code
 * Dataset<Row> files = spark.read().format("binaryFile").load("s3://bucket/images/");
 * Dataset<Row> top5 = ConvlensSpark.predict(files, ModelSpec.sparkFile("model.h5"));
 * Dataset<Row> maps = ConvlensSpark.explain(files, model, HeatmapOptions.defaults().withPng(true));
 * Dataset<Row> x = ConvlensSpark.features(files, base, FeatureOptions.defaults().withPooling(Pooling.AVERAGE));
 * }</pre>
 *
 * <p>Each executor JVM loads the model of a {@link ModelSpec} once and its tasks share it; rows go
 * through the model {@link RowOptions#batchSize} at a time within a partition; TensorFlow runs a
 * task's ops on the task's cores ({@code spark.task.cpus}). Outputs depend only on a partition's
 * rows and the batch size, so a retried task gives the same rows. With {@link
 * RowOptions.OnError#ERROR_COLUMN} (the default) the result has an {@code error} column too.
 *
 * <p>The input's column names stay; the added ones ({@code predictions}, {@code output}, {@code
 * heatmap}, {@code overlay_png}, {@code features}, {@code error}) must not be taken already.
 */
public final class ConvlensSpark {
  private ConvlensSpark() {}

  /** The top 5 classes of each row's image: {@code predictions} = array of (index, label, probability), best first. */
  public static Dataset<Row> predict(Dataset<Row> images, ModelSpec model) {
    return predict(images, model, PredictOptions.defaults());
  }

  /** The top classes of each row's image ({@code predictions}) and, on request, the whole output vector ({@code output}). */
  public static Dataset<Row> predict(Dataset<Row> images, ModelSpec model, PredictOptions options) {
    InvalidInputException.requireNonNull(options, "options");
    return run(images, model, options.rows(), new PredictStep(options));
  }

  /** The book's Grad-CAM of each row's top class: {@code heatmap}. */
  public static Dataset<Row> explain(Dataset<Row> images, ModelSpec model) {
    return explain(images, model, HeatmapOptions.defaults());
  }

  /**
   * A map per row ({@code heatmap}: method, layer, class_index, label, score, height, width, values
   * normalized to [0, 1] row-major), with the method and target of the options or of the row's
   * own columns, and the overlay as PNG bytes ({@code overlay_png}) on request.
   */
  public static Dataset<Row> explain(Dataset<Row> images, ModelSpec model, HeatmapOptions options) {
    InvalidInputException.requireNonNull(images, "images");
    InvalidInputException.requireNonNull(options, "options");
    StructType schema = images.schema();
    int methodField = optionalField(schema, options.methodColumn(), "methodColumn", StringType.class);
    int targetField = optionalField(schema, options.targetColumn(), "targetColumn", StringType.class,
        IntegerType.class, LongType.class);
    return run(images, model, options.rows(), new HeatmapStep(options, methodField, targetField));
  }

  /** A layer's output for each row's image as a Spark ML vector ({@code features}), ready for an ML estimator. */
  public static Dataset<Row> features(Dataset<Row> images, ModelSpec model, FeatureOptions options) {
    InvalidInputException.requireNonNull(options, "options");
    return run(images, model, options.rows(), new FeatureStep(options));
  }

  private static Dataset<Row> run(Dataset<Row> images, ModelSpec model, RowOptions rows, RowStep step) {
    InvalidInputException.requireNonNull(images, "images");
    InvalidInputException.requireNonNull(model, "model");
    StructType in = images.schema();
    List<String> names = Arrays.asList(in.fieldNames());
    int imageField = names.indexOf(rows.imageColumn());
    if (imageField < 0 || !ImageRows.readable(in.fields()[imageField].dataType())) {
      throw new InvalidInputException(imageField < 0
          ? "no column '" + rows.imageColumn() + "' among " + names + "; RowOptions.withImageColumn names the images"
          : "column '" + rows.imageColumn() + "' is " + in.fields()[imageField].dataType().simpleString()
              + "; expected binary (encoded images, as the binaryFile source gives) or Spark's image struct");
    }
    List<StructField> fields = new ArrayList<>(Arrays.asList(in.fields()));
    List<StructField> added = new ArrayList<>(step.columns());
    if (rows.onError() == RowOptions.OnError.ERROR_COLUMN) {
      added.add(DataTypes.createStructField(RowOptions.ERROR_COLUMN, DataTypes.StringType, true));
    }
    for (StructField f : added) {
      if (names.contains(f.name())) {
        throw new InvalidInputException("the input already has a column '" + f.name() + "', which convlens adds;"
            + " rename or drop it first");
      }
    }
    fields.addAll(added);
    StructType out = new StructType(fields.toArray(new StructField[0]));
    int nameField = nameField(in, imageField);
    return images.mapPartitions(new PartitionRun(model, rows, imageField, nameField, step), Encoders.row(out));
  }

  /** A string column naming rows in errors: {@code path} (binaryFile), else -1 (an image struct names itself by its origin). */
  private static int nameField(StructType in, int imageField) {
    List<String> names = Arrays.asList(in.fieldNames());
    int path = names.indexOf("path");
    return path >= 0 && path != imageField && in.fields()[path].dataType() instanceof StringType ? path : -1;
  }

  @SafeVarargs
  private static int optionalField(StructType schema, @Nullable String column, String option,
      Class<? extends DataType>... types) {
    if (column == null) {
      return -1;
    }
    List<String> names = Arrays.asList(schema.fieldNames());
    int i = names.indexOf(column);
    if (i < 0) {
      throw new InvalidInputException("no column '" + column + "' (HeatmapOptions." + option + ") among " + names);
    }
    DataType type = schema.fields()[i].dataType();
    if (Arrays.stream(types).noneMatch(t -> t.isInstance(type))) {
      throw new InvalidInputException("column '" + column + "' (HeatmapOptions." + option + ") is " + type.simpleString()
          + "; expected " + Arrays.stream(types).map(t -> t.getSimpleName().replace("Type", "").toLowerCase(java.util.Locale.ROOT)).toList());
    }
    return i;
  }
}
