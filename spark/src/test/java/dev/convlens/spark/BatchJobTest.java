package dev.convlens.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.fixtures.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ready spark-submit job: a folder in, Parquet out (without the image bytes), never over an existing output. */
class BatchJobTest {
  @Test
  void predictsAFolderIntoParquetAndRefusesToWriteOverIt(@TempDir Path tmp) {
    Path photos = SharedData.require("images/book/cats_and_dogs_small");
    Path out = tmp.resolve("top2");
    String[] args = {"predict", "--model", "mobilenet_0.25_128", "--weights", SharedData.require(LocalSpark.MOBILENET).toString(),
        "--labels", SharedData.require("imagenet_class_index.json").toString(), "--preprocessing", "tf",
        "--input", photos.toString(), "--glob", "*.jpg", "--output", out.toString(), "--top", "2", "--batch", "4"};
    job(args).run(LocalSpark.session());

    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    List<Row> rows = LocalSpark.session().read().parquet(out.toString()).collectAsList();
    assertEquals(11, rows.size());
    assertEquals(List.of("path", "modificationTime", "length", "predictions", "error"), List.of(rows.get(0).schema().fieldNames()));
    for (Row r : rows) {
      assertEquals(2, r.getList(r.fieldIndex("predictions")).size(), r.getString(0));
      assertTrue(r.isNullAt(r.fieldIndex("error")));
    }
    assertThrows(AnalysisException.class, () -> job(args).run(LocalSpark.session()));
  }

  private static BatchJob job(String[] args) {
    BatchJob job = new BatchJob();
    new CommandLine(job).parseArgs(args);
    return job;
  }
}
