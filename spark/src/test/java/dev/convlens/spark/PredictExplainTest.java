package dev.convlens.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.SessionOptions;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import dev.convlens.visualize.cam.Attributor;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.Heatmap;
import dev.convlens.visualize.cam.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spark's rows against the library in this JVM on the same images, MobileNet-0.25 with its
 * ImageNet weights. The same images in the same batches, with the session a task gets, must give
 * the same floats bit for bit. Against the library's one-image calls, rows run in batches of 4 may
 * differ in the last bits: TensorFlow blocks a convolution's loops by the batch size, so its sums
 * are added in another order.
 */
class PredictExplainTest {
  private static List<Path> paths;
  private static ImageClassifier library;

  @BeforeAll
  static void load() {
    paths = LocalSpark.catsAndDogs(6);
    // The session the executors give a task in local[2]: one intra-op thread, two inter-op threads.
    library = LocalSpark.mobileNet().load(SessionOptions.defaults().withIntraOpThreads(1).withInterOpThreads(2));
  }

  @AfterAll
  static void close() {
    library.close();
  }

  @Test
  void predictionsEqualTheLibrarysOnTheSameBatchesBitForBit() {
    for (int batch : new int[] {1, 4}) {
      PredictOptions options = PredictOptions.defaults().withOutput(true).withTopK(3)
          .withRows(RowOptions.defaults().withBatchSize(batch));
      List<Row> rows = ConvlensSpark.predict(sortedInTwoPartitions(), LocalSpark.mobileNet(), options).collectAsList();
      assertEquals(paths.size(), rows.size());
      for (List<Row> same : batches(rows, batch)) {
        FloatTensor expected = library.model().predict(library.inputs(images(same)));
        for (int i = 0; i < same.size(); i++) {
          Row r = same.get(i);
          assertArrayEquals(expected.slice(i).data(), floats(r.getList(r.fieldIndex("output"))), r.getString(0));
          // Against the library's single-image call: equal to 1e-6 only when the batch differs.
          InputImage image = InputImage.of(r.<byte[]>getAs("content"));
          assertArrayEquals(library.model().predict(library.inputs(List.of(image))).data(),
              floats(r.getList(r.fieldIndex("output"))), 1e-6f, r.getString(0));
          List<Prediction> top = library.predict(image, 3);
          List<Row> predictions = r.getList(r.fieldIndex("predictions"));
          assertEquals(3, predictions.size());
          for (int k = 0; k < 3; k++) {
            assertEquals(top.get(k).index(), predictions.get(k).getInt(0), r.getString(0));
            assertEquals(top.get(k).label(), predictions.get(k).getString(1));
            assertEquals(expected.slice(i).data()[top.get(k).index()], predictions.get(k).getFloat(2));
          }
          assertTrue(r.isNullAt(r.fieldIndex(RowOptions.ERROR_COLUMN)), r.getString(0));
        }
      }
    }
  }

  @Test
  void gradCamMapsEqualTheLibrarysOnTheSameBatchesBitForBit() {
    for (int batch : new int[] {1, 4}) {
      HeatmapOptions options = HeatmapOptions.defaults().withRows(RowOptions.defaults().withBatchSize(batch));
      List<Row> rows = ConvlensSpark.explain(sortedInTwoPartitions(), LocalSpark.mobileNet(), options).collectAsList();
      assertEquals(paths.size(), rows.size());
      Attributor gradCam = library.attributor(CamMethod.GRAD_CAM_BOOK, null);
      for (List<Row> same : batches(rows, batch)) {
        List<InputImage> images = images(same);
        List<Heatmap> expected = gradCam.explain(library.inputs(images),
            java.util.Collections.nCopies(images.size(), Target.topClass()));
        for (int i = 0; i < same.size(); i++) {
          Row r = same.get(i);
          Row map = r.getStruct(r.fieldIndex("heatmap"));
          Heatmap h = expected.get(i);
          assertEquals("gradcam-book", map.getString(0));
          assertEquals(gradCam.layer(), map.getString(1));
          assertEquals(h.classIndex(), map.getInt(2));
          assertEquals(h.score(), map.getFloat(4));
          assertEquals(h.height(), map.getInt(5));
          assertEquals(h.width(), map.getInt(6));
          assertArrayEquals(h.normalized().data(), floats(map.getList(7)), r.getString(0));
          // Against the library's one-image explain: the map follows gradients back through 27 layers
          // and is divided by its maximum, so another batch's summation order shows more (1.3e-5 seen).
          assertArrayEquals(library.explain(images.get(i)).heatmap().normalized().data(), floats(map.getList(7)), 1e-4f);
        }
      }
    }
  }

  /** The images in two partitions, each sorted by path, with the partition's id: batches are consecutive rows of a partition. */
  private static Dataset<Row> sortedInTwoPartitions() {
    return LocalSpark.files(paths, 2).repartitionByRange(2, functions.col("path")).sortWithinPartitions("path")
        .withColumn("partition", functions.spark_partition_id());
  }

  /** The rows as the executors batched them: a partition's rows in order, {@code size} at a time. */
  private static List<List<Row>> batches(List<Row> rows, int size) {
    Map<Integer, List<Row>> byPartition = new java.util.TreeMap<>();
    rows.forEach(r -> byPartition.computeIfAbsent(r.<Integer>getAs("partition"), p -> new ArrayList<>()).add(r));
    assertEquals(2, byPartition.size());
    List<List<Row>> out = new ArrayList<>();
    for (List<Row> partition : byPartition.values()) {
      for (int i = 0; i < partition.size(); i += size) {
        out.add(partition.subList(i, Math.min(partition.size(), i + size)));
      }
    }
    return out;
  }

  private static List<InputImage> images(List<Row> rows) {
    return rows.stream().map(r -> InputImage.of(r.<byte[]>getAs("content"))).toList();
  }

  @Test
  void eachRowCanHaveItsOwnMethodAndTarget() {
    Dataset<Row> files = LocalSpark.files(paths, 2).selectExpr("*",
        "CASE WHEN path LIKE 'cat%' THEN 'gradcam++' ELSE NULL END AS method",
        "CASE WHEN path LIKE 'dog%' THEN 'tabby' ELSE NULL END AS target");
    HeatmapOptions options = HeatmapOptions.defaults().withMethodColumn("method").withTargetColumn("target")
        .withTargetClass("Egyptian_cat").withPng(true).withRows(RowOptions.defaults().withBatchSize(4));
    List<Row> rows = ConvlensSpark.explain(files, LocalSpark.mobileNet(), options).collectAsList();
    Map<String, Integer> seen = new HashMap<>();
    for (Row r : rows) {
      Row map = r.getStruct(r.fieldIndex("heatmap"));
      boolean cat = r.getString(0).startsWith("cat");
      assertEquals(cat ? "gradcam++" : "gradcam-book", map.getString(0));
      assertEquals(cat ? "Egyptian_cat" : "tabby", map.getString(3));
      byte[] png = r.getAs("overlay_png");
      assertTrue(png.length > 100 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
      seen.merge(map.getString(0), 1, Integer::sum);
    }
    assertEquals(Map.of("gradcam++", 6, "gradcam-book", 6), seen);
  }

  static float[] floats(List<?> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) values.get(i)).floatValue();
    }
    return out;
  }

}
