package dev.convlens.cli.bench;

import dev.convlens.spark.ConvlensSpark;
import dev.convlens.spark.HeatmapOptions;
import dev.convlens.spark.ModelSpec;
import dev.convlens.spark.PredictOptions;
import dev.convlens.spark.RowOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The Spark half of {@code bench spark}: a {@code local[cores]} session (open until {@link #close})
 * reading the images with the {@code binaryFile} source in Spark's own splits (as a job on a cluster
 * would: many small partitions, handed to whichever core is free), and running
 * {@link ConvlensSpark#predict} or {@link ConvlensSpark#explain} over them.
 */
final class SparkSide implements AutoCloseable {
  private final SparkSession spark;
  private final ModelSpec model;
  private final RowOptions rows;
  private final Path folder;
  private final List<Path> files;
  private final boolean wholeFolder;

  /**
   * @param files the images, in {@code folder}; all of its {@code *.jpg} files when {@code wholeFolder}
   *     (the folder is read as a whole, as a job on a cluster would), else read by name
   */
  SparkSide(int cores, ModelSpec model, int batch, Path folder, List<Path> files, boolean wholeFolder) {
    this.model = model;
    this.rows = RowOptions.defaults().withBatchSize(batch);
    this.folder = folder;
    this.files = files;
    this.wholeFolder = wholeFolder;
    this.spark = SparkSession.builder().master("local[" + cores + "]").appName("convlens-bench-spark")
        .config("spark.ui.enabled", "false")
        .getOrCreate();
  }

  /**
   * The images as rows (path, modificationTime, length, content) in the source's splits. Not
   * {@code coalesce(cores)}: the source orders files by size and coalesce keeps ranges together, so one
   * of two tasks got twice the bytes of the other (31.0 vs 14.6 MB) and local[2] ran 25% slower.
   */
  private Dataset<Row> images() {
    var reader = spark.read().format("binaryFile");
    Dataset<Row> d = wholeFolder
        ? reader.option("recursiveFileLookup", "true").option("pathGlobFilter", "*.jpg").load(folder.toString())
        : reader.load(files.stream().map(Path::toString).toArray(String[]::new));
    return d;
  }

  private Dataset<Row> result(SparkBench.Task task) {
    return switch (task) {
      case READ -> images();
      case PREDICT -> ConvlensSpark.predict(images(), model, PredictOptions.defaults().withRows(rows));
      case GRADCAM -> ConvlensSpark.explain(images(), model, HeatmapOptions.defaults().withRows(rows));
    };
  }


  /** Seconds from reading the folder to the last row written to Spark's no-op sink (which keeps every column). */
  double run(SparkBench.Task task) {
    long t0 = System.nanoTime();
    result(task).write().format("noop").mode("overwrite").save();
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Rows and rows with an error: a job that needs the outputs, for the warm-up (it loads the executor's model). */
  long[] check(SparkBench.Task task) {
    Dataset<Row> result = result(task);
    if (task == SparkBench.Task.READ) {
      return new long[] {result.count(), 0};
    }
    Row r = result.agg(functions.count(functions.lit(1)), functions.count(functions.col(RowOptions.ERROR_COLUMN))).first();
    return new long[] {r.getLong(0), r.getLong(1)};
  }


  /**
   * How the images are dealt out: the number of partitions and the images/MB of the largest and smallest.
   */
  String partitions() {
    List<Row> parts = images().groupBy(functions.spark_partition_id().as("p"))
        .agg(functions.count(functions.lit(1)), functions.sum("length")).orderBy(functions.col("sum(length)").desc())
        .collectAsList();
    Row big = parts.get(0);
    Row small = parts.get(parts.size() - 1);
    return String.format(Locale.ROOT, "%d partitions, largest %d/%.1f, smallest %d/%.1f images/MB", parts.size(),
        big.getLong(1), big.getLong(2) / 1e6, small.getLong(1), small.getLong(2) / 1e6);
  }


  @Override
  public void close() {
    spark.stop();
  }
}
