package dev.convlens.spark;

import dev.convlens.bridge.image.Preprocessing;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A ready job for {@code spark-submit --class dev.convlens.spark.BatchJob convlens-spark-<v>-all.jar
 * predict|explain|features --model M --input DIR --output DIR}: reads the images with the
 * {@code binaryFile} source, adds convlens' columns, drops the image bytes and writes Parquet (or
 * JSON). Spark's output committer writes the files under a temporary folder and moves them on
 * success, so a failed job leaves no partial output.
 */
@Command(name = "convlens-spark", mixinStandardHelpOptions = true,
    description = "Predictions, heatmaps or features of every image under --input, written to --output.")
public final class BatchJob implements Callable<Integer> {
  enum Operation { PREDICT, EXPLAIN, FEATURES }

  @Parameters(index = "0", paramLabel = "predict|explain|features", converter = OperationConverter.class)
  Operation operation;

  @Option(names = "--model", required = true, description = "A model file or SavedModel directory, or vgg16, mobilenet, mobilenet_<alpha>_<size>.")
  String model;

  @Option(names = "--shipped", description = "--model, --weights and --labels name files shipped with spark-submit --files.")
  boolean shipped;

  @Option(names = "--weights", description = "A built-in's Keras weight file.")
  @Nullable String weights;

  @Option(names = "--labels", description = "Class names: imagenet_class_index.json or one name per line.")
  @Nullable String labels;

  @Option(names = "--preprocessing", description = "caffe, tf, torch, none or rescale (default: the model's own).")
  @Nullable String preprocessing;

  @Option(names = "--input", required = true, description = "A folder (read recursively) or a glob of image files.")
  String input;

  @Option(names = "--glob", defaultValue = "*", description = "Which file names under --input to read (default: all).")
  String glob;

  @Option(names = "--output", required = true, description = "The folder to write; it must not exist.")
  String output;

  @Option(names = "--format", defaultValue = "parquet", description = "parquet or json.")
  String format;

  @Option(names = "--batch", defaultValue = "32", description = "Images per graph run.")
  int batch;

  @Option(names = "--fail-on-bad-image", description = "Fail the job on an unreadable image instead of writing its error.")
  boolean failOnBadImage;

  @Option(names = "--top", defaultValue = "5", description = "predict: classes per image.")
  int top;

  @Option(names = "--method", defaultValue = "gradcam-book", description = "explain: the attribution method.")
  String method;

  @Option(names = "--class", description = "explain: the class to explain (default: each image's top class).")
  @Nullable String targetClass;

  @Option(names = "--png", description = "explain: also write the overlay as PNG bytes.")
  boolean png;

  @Option(names = "--layer", description = "explain: the CAM layer; features: the layer (default: the output).")
  @Nullable String layer;

  @Option(names = "--pooling", defaultValue = "flatten", description = "features: flatten, average or max.")
  String pooling;

  public static void main(String[] args) {
    int code = new CommandLine(new BatchJob()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    SparkSession spark = SparkSession.builder().appName("convlens " + operation.name().toLowerCase(Locale.ROOT)).getOrCreate();
    try {
      run(spark);
      return 0;
    } finally {
      spark.stop();
    }
  }

  /** Reads, adds the columns and writes, in {@code spark}. */
  void run(SparkSession spark) {
    ModelSpec spec = ModelSpec.isBuiltInName(model) ? ModelSpec.builtIn(model) : ModelSpec.file(model);
    if (shipped) {
      spec = spec.shippedFiles();
    }
    if (weights != null) {
      spec = spec.withWeights(weights);
    }
    if (labels != null) {
      spec = spec.withLabels(labels);
    }
    if (preprocessing != null) {
      spec = spec.withPreprocessing(Preprocessing.parse(preprocessing));
    }
    RowOptions rows = RowOptions.defaults().withBatchSize(batch)
        .withOnError(failOnBadImage ? RowOptions.OnError.FAIL : RowOptions.OnError.ERROR_COLUMN);
    Dataset<Row> images = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
        .option("pathGlobFilter", glob).load(input);
    Dataset<Row> out = switch (operation) {
      case PREDICT -> ConvlensSpark.predict(images, spec, PredictOptions.defaults().withRows(rows).withTopK(top));
      case EXPLAIN -> ConvlensSpark.explain(images, spec, explainOptions(rows));
      case FEATURES -> ConvlensSpark.features(images, spec, featureOptions(rows));
    };
    out.drop("content").write().format(format).save(output);
  }

  private HeatmapOptions explainOptions(RowOptions rows) {
    HeatmapOptions o = HeatmapOptions.defaults().withRows(rows).withMethod(method).withPng(png);
    o = layer == null ? o : o.withLayer(layer);
    return targetClass == null ? o : o.withTargetClass(targetClass);
  }

  private FeatureOptions featureOptions(RowOptions rows) {
    FeatureOptions o = FeatureOptions.defaults().withRows(rows)
        .withPooling(FeatureOptions.Pooling.valueOf(pooling.toUpperCase(Locale.ROOT)));
    return layer == null ? o : o.withLayer(layer);
  }

  static final class OperationConverter implements CommandLine.ITypeConverter<Operation> {
    @Override
    public Operation convert(String value) {
      return Operation.valueOf(value.toUpperCase(Locale.ROOT));
    }
  }
}
