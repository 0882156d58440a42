package dev.convlens.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/** The batching and error rules alone, without Spark nor a model: a step that records its batches. */
class BatchedRowsTest {
  /** Adds each row's width; fails a batch holding a row named "bad", or any batch with {@code always}. */
  private static final class Widths implements RowStep {
    final List<Integer> batchSizes = new ArrayList<>();
    final ConvlensException always;

    Widths(ConvlensException always) {
      this.always = always;
    }

    @Override
    public List<StructField> columns() {
      return List.of(DataTypes.createStructField("width", DataTypes.IntegerType, true));
    }

    @Override
    public List<Object[]> apply(ImageClassifier classifier, List<Row> rows, List<InputImage> images) {
      batchSizes.add(rows.size());
      if (always != null) {
        throw always;
      }
      if (rows.stream().anyMatch(r -> r.getString(0).equals("bad"))) {
        throw new InvalidInputException("no class 'bad'");
      }
      return images.stream().map(i -> new Object[] {i.width()}).toList();
    }
  }

  @Test
  void rowsGoInBatchesAndOnlyTheCulpritsGetErrors() throws IOException {
    List<Row> in = List.of(row("a", png(3)), row("b", new byte[] {1, 2}), row("c", png(5)), row("bad", png(6)),
        row("d", png(7)), row("e", png(8)), row("f", png(9)));
    Widths step = new Widths(null);
    List<Row> out = run(in, step, RowOptions.OnError.ERROR_COLUMN);
    // 3 + 3 + 1 rows; the undecodable b never reaches the step; the batch with "bad" is rerun one row at a time.
    assertEquals(List.of(2, 3, 1, 1, 1, 1), step.batchSizes);
    assertEquals(7, out.size());
    for (Row r : out) {
      String name = r.getString(0);
      boolean bad = name.equals("b") || name.equals("bad");
      assertEquals(bad, r.isNullAt(2), name);
      assertEquals(bad, !r.isNullAt(3), name);
    }
    assertEquals(3, out.get(0).getInt(2));
    assertEquals(9, out.get(6).getInt(2));
    assertTrue(out.get(3).getString(3).equals("InvalidInputException: no class 'bad'"), out.get(3).getString(3));
  }

  @Test
  void underFailTheCulpritIsNamed() throws IOException {
    List<Row> in = List.of(row("a", png(3)), row("bad", png(4)));
    ConvlensException e = assertThrows(ConvlensException.class,
        () -> run(in, new Widths(null), RowOptions.OnError.FAIL));
    assertEquals("bad: no class 'bad'", e.getMessage());
  }

  @Test
  void whatIsNotARowsFaultFailsTheTaskEvenWithTheErrorColumn() throws IOException {
    List<Row> in = List.of(row("a", png(3)), row("b", png(4)));
    CancelledException killed = new CancelledException(CancelledException.Reason.CANCELLED, "interrupted");
    assertThrows(CancelledException.class, () -> run(in, new Widths(killed), RowOptions.OnError.ERROR_COLUMN));
    ConvlensException oom = new ConvlensException("TensorFlow: OOM when allocating");
    assertEquals(oom, assertThrows(ConvlensException.class, () -> run(in, new Widths(oom), RowOptions.OnError.ERROR_COLUMN)));
  }

  private static List<Row> run(List<Row> in, RowStep step, RowOptions.OnError onError) {
    RowOptions options = RowOptions.defaults().withBatchSize(3).withOnError(onError);
    BatchedRows rows = new BatchedRows(in.iterator(), options, 1, 0, step, () -> null);
    List<Row> out = new ArrayList<>();
    rows.forEachRemaining(out::add);
    return out;
  }

  private static Row row(String name, byte[] content) {
    return RowFactory.create(name, content);
  }

  private static byte[] png(int width) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(width, 2, BufferedImage.TYPE_INT_RGB), "png", out);
    return out.toByteArray();
  }
}
