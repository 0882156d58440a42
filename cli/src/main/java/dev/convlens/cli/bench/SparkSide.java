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
 * reading the images with the {@code binaryFile} source, one partition per core, and running
 * {@link ConvlensSpark#predict} or {@link ConvlensSpark#explain} over them.
 */
final class SparkSide implements AutoCloseable {
  private final SparkSession spark;
  private final int cores;
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
    this.cores = cores;
    this.model = model;
    this.rows = RowOptions.defaults().withBatchSize(batch);
    this.folder = folder;
    this.files = files;
    this.wholeFolder = wholeFolder;
    this.spark = SparkSession.builder().master("local[" + cores + "]").appName("convlens-bench-spark")
        .config("spark.ui.enabled", "false")
        // Every file a scan split of its own, so that coalesce(cores) below deals the files out evenly
        // by count (the default packs ~31 files per split, too coarse for a few images).
        .config("spark.sql.files.maxPartitionBytes", "1")
        .getOrCreate();
  }

  /** The images as rows (path, modificationTime, length, content), in {@code cores} partitions without a shuffle. */
  private Dataset<Row> images() {
    var reader = spark.read().format("binaryFile");
    Dataset<Row> d = wholeFolder
        ? reader.option("recursiveFileLookup", "true").option("pathGlobFilter", "*.jpg").load(folder.toString())
        : reader.load(files.stream().map(Path::toString).toArray(String[]::new));
    return d.coalesce(cores);
  }

  private Dataset<Row> result(SparkBench.Task task) {
    return task == SparkBench.Task.PREDICT
        ? ConvlensSpark.predict(images(), model, PredictOptions.defaults().withRows(rows))
        : ConvlensSpark.explain(images(), model, HeatmapOptions.defaults().withRows(rows));
  }

  /** Seconds from reading the folder to the last row written to Spark's no-op sink (which keeps every column). */
  double run(SparkBench.Task task) {
    long t0 = System.nanoTime();
    result(task).write().format("noop").mode("overwrite").save();
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Rows and rows with an error: a job that needs the outputs, for the warm-up (it loads the executor's model). */
  long[] check(SparkBench.Task task) {
    Row r = result(task).agg(functions.count(functions.lit(1)), functions.count(functions.col(RowOptions.ERROR_COLUMN)))
        .first();
    return new long[] {r.getLong(0), r.getLong(1)};
  }

  /**
   * How the images are dealt out: "images/MB" per partition, in partition order. The binaryFile source
   * orders its splits by size, largest first, and coalesce keeps ranges of them together.
   */
  String partitions() {
    List<Row> parts = images().groupBy(functions.spark_partition_id().as("p"))
        .agg(functions.count(functions.lit(1)), functions.sum("length")).orderBy("p").collectAsList();
    return parts.stream().map(r -> String.format(Locale.ROOT, "%d/%.1f", r.getLong(1), r.getLong(2) / 1e6))
        .collect(Collectors.joining(" ", parts.size() + " partitions (images/MB: ", ")"));
  }

  @Override
  public void close() {
    spark.stop();
  }
}
