package dev.convlens.spark;

import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.Preprocessing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One {@code local[2]} Spark for every test class of the run (a session costs seconds to start);
 * tasks may fail twice before the job does, so a killed task is retried as on a cluster.
 */
final class LocalSpark {
  static final String MOBILENET = "models/keras-applications/mobilenet_2_5_128_tf.h5";
  static final StructType FILES = new StructType()
      .add("path", DataTypes.StringType, false)
      .add("content", DataTypes.BinaryType, true);
  private static SparkSession session;

  private LocalSpark() {}

  static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSession.builder().master("local[2,3]").appName("convlens-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .getOrCreate();
    }
    return session;
  }

  /** MobileNet-0.25 at 128 with its ImageNet weights and names, from ../shared/data. */
  static ModelSpec mobileNet() {
    return ModelSpec.builtIn("mobilenet_0.25_128").withWeights(SharedData.require(MOBILENET).toString())
        .withLabels(SharedData.require("imagenet_class_index.json").toString())
        .withPreprocessing(Preprocessing.TF);
  }

  /** The first {@code perClass} validation cats and dogs, sorted by name. */
  static List<Path> catsAndDogs(int perClass) {
    List<Path> out = new ArrayList<>();
    for (String c : List.of("cats", "dogs")) {
      try (Stream<Path> files = Files.list(SharedData.require("cats_and_dogs_small/validation/" + c))) {
        files.sorted().limit(perClass).forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Rows (path, content) as the binaryFile source gives them, in {@code partitions} partitions. */
  static Dataset<Row> files(List<Path> paths, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (Path p : paths) {
      try {
        rows.add(RowFactory.create(p.getFileName().toString(), Files.readAllBytes(p)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return session().createDataFrame(rows, FILES).repartition(partitions);
  }

  static Dataset<Row> bytes(List<Row> rows, int partitions) {
    return session().createDataFrame(rows, FILES).coalesce(1).repartition(partitions);
  }
}
