package dev.convlens.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.SessionOptions;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/** What the driver checks before a job starts, the other input and output kinds. */
class ApiTest {
  @Test
  void badArgumentsFailOnTheDriverNamingWhatWasExpected() {
    Dataset<Row> files = LocalSpark.files(LocalSpark.catsAndDogs(1), 1);
    ModelSpec model = LocalSpark.mobileNet();
    assertMessage("no column 'image' among [path, content]", () -> ConvlensSpark.predict(files, model,
        PredictOptions.defaults().withRows(RowOptions.defaults().withImageColumn("image"))));
    assertMessage("column 'path' is string; expected binary", () -> ConvlensSpark.predict(files, model,
        PredictOptions.defaults().withRows(RowOptions.defaults().withImageColumn("path"))));
    assertMessage("already has a column 'predictions'",
        () -> ConvlensSpark.predict(files.withColumn("predictions", functions.lit(1)), model));
    assertMessage("already has a column 'error'", () -> ConvlensSpark.explain(files.withColumn("error", functions.lit(1)), model));
    assertMessage("no column 'm' (HeatmapOptions.methodColumn)",
        () -> ConvlensSpark.explain(files, model, HeatmapOptions.defaults().withMethodColumn("m")));
    assertMessage("column 'content' (HeatmapOptions.targetColumn) is binary",
        () -> ConvlensSpark.explain(files, model, HeatmapOptions.defaults().withTargetColumn("content")));
    assertMessage("unknown attribution method 'gradcam3'", () -> HeatmapOptions.defaults().withMethod("gradcam3"));
    assertMessage("unknown built-in model 'resnet50'", () -> ModelSpec.builtIn("resnet50"));
    assertMessage("batchSize must be at least 1, got 0", () -> RowOptions.defaults().withBatchSize(0));
  }

  @Test
  void sparksImageSourceGivesTheSameRowsAsTheEncodedFiles() {
    Path cats = SharedData.require("images/book/cats_and_dogs_small");
    Dataset<Row> structs = LocalSpark.session().read().format("image").load(cats.toString());
    Dataset<Row> bytes = LocalSpark.session().read().format("binaryFile").option("pathGlobFilter", "*.jpg")
        .load(cats.toString());
    PredictOptions options = PredictOptions.defaults().withOutput(true).withRows(RowOptions.defaults().withBatchSize(1));
    Map<String, float[]> fromStructs = new TreeMap<>();
    ConvlensSpark.predict(structs, LocalSpark.mobileNet(), options.withRows(options.rows().withImageColumn("image")))
        .collectAsList().forEach(r -> fromStructs.put(fileName(r.getStruct(0).getString(0)),
            PredictExplainTest.floats(r.getList(r.fieldIndex("output")))));
    Map<String, float[]> fromBytes = new TreeMap<>();
    ConvlensSpark.predict(bytes, LocalSpark.mobileNet(), options).collectAsList()
        .forEach(r -> fromBytes.put(fileName(r.getString(0)), PredictExplainTest.floats(r.getList(r.fieldIndex("output")))));
    assertTrue(fromBytes.size() >= 2, "images in " + cats);
    assertEquals(fromBytes.keySet(), fromStructs.keySet());
    fromBytes.forEach((path, output) -> assertArrayEquals(output, fromStructs.get(path), path));
  }

  @Test
  void featuresAreTheLayersOutputFlattenedOrPooled() {
    List<Path> paths = LocalSpark.catsAndDogs(2);
    String layer = "conv_pw_13_relu";
    Map<String, Vector> flat = new TreeMap<>();
    Map<String, Vector> avg = new TreeMap<>();
    Map<String, Vector> max = new TreeMap<>();
    FeatureOptions options = FeatureOptions.defaults().withLayer(layer).withRows(RowOptions.defaults().withBatchSize(1));
    collect(ConvlensSpark.features(LocalSpark.files(paths, 2), LocalSpark.mobileNet(), options), flat);
    collect(ConvlensSpark.features(LocalSpark.files(paths, 2), LocalSpark.mobileNet(),
        options.withPooling(FeatureOptions.Pooling.AVERAGE)), avg);
    collect(ConvlensSpark.features(LocalSpark.files(paths, 2), LocalSpark.mobileNet(),
        options.withPooling(FeatureOptions.Pooling.MAX)), max);
    try (ImageClassifier library = LocalSpark.mobileNet().load(SessionOptions.defaults().withIntraOpThreads(1)
        .withInterOpThreads(2))) {
      for (Path p : paths) {
        FloatTensor map = library.model().activations(library.inputs(List.of(InputImage.of(p))), List.of(layer)).get(layer);
        assertArrayEquals(new long[] {1, 4, 4, 256}, map.shape());
        String name = p.getFileName().toString();
        double[] f = flat.get(name).toArray();
        assertEquals(4096, f.length);
        double[] a = avg.get(name).toArray();
        double[] m = max.get(name).toArray();
        for (int c = 0; c < 256; c++) {
          double sum = 0;
          double top = Double.NEGATIVE_INFINITY;
          for (int pos = 0; pos < 16; pos++) {
            float v = map.data()[pos * 256 + c];
            assertEquals(v, f[pos * 256 + c], 0.0, name + " flattened in (h, w, c) order");
            sum += v;
            top = Math.max(top, v);
          }
          assertEquals(sum / 16, a[c], 1e-12, name);
          assertEquals(top, m[c], 0.0, name);
        }
      }
    }
  }

  /** The image source writes {@code file:///a}, binaryFile {@code file:/a}. */
  private static String fileName(String uri) {
    return uri.substring(uri.lastIndexOf('/') + 1);
  }

  private static void collect(Dataset<Row> rows, Map<String, Vector> out) {
    rows.collectAsList().forEach(r -> out.put(r.getString(0), r.getAs("features")));
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
    InvalidInputException e = assertThrows(InvalidInputException.class, call);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
