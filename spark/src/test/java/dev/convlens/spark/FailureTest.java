package dev.convlens.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad rows fail themselves, not their partition nor the executor; a killed task comes back with the same rows. */
class FailureTest {
  @Test
  void aPoisonedImageGetsAnErrorRowAndTheOtherRowsAreRight() throws IOException {
    List<Path> good = LocalSpark.catsAndDogs(4);
    byte[] jpeg = Files.readAllBytes(good.get(0));
    byte[] noise = new byte[5000];
    new Random(7).nextBytes(noise);
    List<Row> rows = new ArrayList<>();
    for (Path p : good) {
      rows.add(RowFactory.create(p.getFileName().toString(), Files.readAllBytes(p)));
    }
    rows.add(3, RowFactory.create("noise.jpg", noise));
    rows.add(6, RowFactory.create("truncated.jpg", Arrays.copyOf(jpeg, 300)));
    rows.add(RowFactory.create("null.jpg", null));
    PredictOptions options = PredictOptions.defaults().withOutput(true).withRows(RowOptions.defaults().withBatchSize(4));

    Map<String, Row> poisoned = byPath(ConvlensSpark.predict(LocalSpark.bytes(rows, 2), LocalSpark.mobileNet(), options));
    Map<String, Row> clean = byPath(ConvlensSpark.predict(LocalSpark.bytes(rows.stream()
        .filter(r -> r.getString(0).startsWith("cat") || r.getString(0).startsWith("dog")).toList(), 2),
        LocalSpark.mobileNet(), options));

    assertEquals(11, poisoned.size());
    for (String bad : List.of("noise.jpg", "truncated.jpg", "null.jpg")) {
      Row r = poisoned.get(bad);
      assertTrue(r.isNullAt(r.fieldIndex("predictions")) && r.isNullAt(r.fieldIndex("output")), bad);
      String error = r.getAs(RowOptions.ERROR_COLUMN);
      assertTrue(error != null && error.matches("(ImageRead|InvalidInput)Exception: .+"), bad + ": " + error);
    }
    for (Map.Entry<String, Row> e : clean.entrySet()) {
      Row r = poisoned.get(e.getKey());
      assertTrue(r.isNullAt(r.fieldIndex(RowOptions.ERROR_COLUMN)), e.getKey());
      // Other batches than the clean run's (the bad rows took places in them): equal up to summation order.
      assertArrayEquals(PredictExplainTest.floats(e.getValue().getList(e.getValue().fieldIndex("output"))),
          PredictExplainTest.floats(r.getList(r.fieldIndex("output"))), 1e-6f, e.getKey());
    }
  }

  @Test
  void aRowThatFailsItsBatchIsRunAloneSoOnlyItGetsTheError() {
    List<Path> paths = LocalSpark.catsAndDogs(3);
    Dataset<Row> files = LocalSpark.files(paths, 1).selectExpr("*",
        "CASE WHEN path = 'dog.1001.jpg' THEN 'no_such_class' ELSE NULL END AS target");
    HeatmapOptions options = HeatmapOptions.defaults().withTargetColumn("target")
        .withRows(RowOptions.defaults().withBatchSize(6));
    Map<String, Row> rows = byPath(ConvlensSpark.explain(files, LocalSpark.mobileNet(), options));
    assertEquals(6, rows.size());
    rows.forEach((path, r) -> {
      boolean culprit = path.equals("dog.1001.jpg");
      assertEquals(culprit, r.isNullAt(r.fieldIndex("heatmap")), path);
      assertEquals(culprit, !r.isNullAt(r.fieldIndex(RowOptions.ERROR_COLUMN)), path);
    });
    assertTrue(rows.get("dog.1001.jpg").<String>getAs(RowOptions.ERROR_COLUMN).contains("no_such_class"));
  }

  @Test
  void underFailTheJobFailsNamingTheFileAndTheExecutorGoesOn() throws IOException {
    List<Path> good = LocalSpark.catsAndDogs(2);
    List<Row> rows = new ArrayList<>();
    for (Path p : good) {
      rows.add(RowFactory.create(p.getFileName().toString(), Files.readAllBytes(p)));
    }
    rows.add(RowFactory.create("poison.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}));
    PredictOptions options = PredictOptions.defaults().withRows(RowOptions.defaults().withOnError(RowOptions.OnError.FAIL));
    SparkException failed = assertThrows(SparkException.class,
        () -> ConvlensSpark.predict(LocalSpark.bytes(rows, 2), LocalSpark.mobileNet(), options).collectAsList());
    assertTrue(failed.getMessage().contains("poison.png: "), failed.getMessage());
    List<Row> after = ConvlensSpark.predict(LocalSpark.bytes(rows.subList(0, 4), 2), LocalSpark.mobileNet(), options)
        .collectAsList();
    assertEquals(4, after.size());
    assertEquals(0, ExecutorModels.users(), "every task let go of the model");
  }

  @Test
  void anUnreadableImageOfSparksImageSourceIsNamedByItsOrigin(@TempDir Path dir) throws IOException {
    Files.copy(LocalSpark.catsAndDogs(1).get(0), dir.resolve("cat.jpg"));
    Files.write(dir.resolve("broken.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3});
    Dataset<Row> images = LocalSpark.session().read().format("image").load(dir.toString());
    RowOptions rows = RowOptions.defaults().withImageColumn("image");
    Map<String, Row> byOrigin = new TreeMap<>();
    ConvlensSpark.predict(images, LocalSpark.mobileNet(), PredictOptions.defaults().withRows(rows)).collectAsList()
        .forEach(r -> byOrigin.put(Path.of(r.getStruct(0).getString(0).replace("file:", "")).getFileName().toString(), r));
    assertTrue(byOrigin.get("cat.jpg").isNullAt(2), "the cat has no error");
    assertTrue(byOrigin.get("broken.jpg").getString(2).contains("an image struct of -1x-1x-1"), byOrigin.toString());

    SparkException failed = assertThrows(SparkException.class, () -> ConvlensSpark.predict(images, LocalSpark.mobileNet(),
        PredictOptions.defaults().withRows(rows.withOnError(RowOptions.OnError.FAIL))).collectAsList());
    assertTrue(failed.getMessage().contains("broken.jpg: "), failed.getMessage());
  }

  @Test
  void aModelThatCannotLoadFailsTheJobEvenWithTheErrorColumn() {
    Dataset<Row> files = LocalSpark.files(LocalSpark.catsAndDogs(1), 1);
    SparkException failed = assertThrows(SparkException.class,
        () -> ConvlensSpark.predict(files, ModelSpec.file("/no/such/model.h5")).collectAsList());
    assertTrue(failed.getMessage().contains("/no/such/model.h5"), failed.getMessage());
    assertEquals(0, ExecutorModels.users());
  }

  @Test
  void aKilledTaskIsRetriedAndGivesTheSameRowsBitForBit() {
    Dataset<Row> files = LocalSpark.files(LocalSpark.catsAndDogs(6), 2);
    HeatmapOptions options = HeatmapOptions.defaults().withRows(RowOptions.defaults().withBatchSize(2));
    List<Row> expected = ConvlensSpark.explain(files, LocalSpark.mobileNet(), options).collectAsList();

    Dataset<Row> dying = files.mapPartitions(new DieOnce(), Encoders.row(files.schema()));
    List<Row> retried = ConvlensSpark.explain(dying, LocalSpark.mobileNet(), options).collectAsList();

    assertEquals(expected.size(), retried.size());
    for (int i = 0; i < expected.size(); i++) {
      Row e = expected.get(i);
      Row r = retried.get(i);
      assertEquals(e.getString(0), r.getString(0));
      assertArrayEquals(PredictExplainTest.floats(e.getStruct(e.fieldIndex("heatmap")).getList(7)),
          PredictExplainTest.floats(r.getStruct(r.fieldIndex("heatmap")).getList(7)), e.getString(0));
    }
    assertEquals(0, ExecutorModels.users(), "the killed attempt let go of the model");
  }

  /** The second partition's first attempt dies at its fourth row, after convlens has given out a batch. */
  private static final class DieOnce implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      TaskContext task = TaskContext.get();
      boolean dies = task.partitionId() == 1 && task.attemptNumber() == 0;
      return new Iterator<>() {
        private int n;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row next() {
          if (dies && ++n == 4) {
            throw new IllegalStateException("killed for the test");
          }
          return rows.next();
        }
      };
    }
  }

  private static Map<String, Row> byPath(Dataset<Row> rows) {
    Map<String, Row> out = new TreeMap<>();
    rows.collectAsList().forEach(r -> out.put(r.getString(0), r));
    return out;
  }
}
