package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo-data} then {@code compare-methods} on the demo model: every chosen method gets a row
 * with every metric, the maps are written, and the pointing game of the book's Grad-CAM on shapes
 * it classifies well hits (the demo model's Grad-CAM maximum is inside the box on 0.99 of 200
 * held-out images, README); bad boxes and methods are refused by name.
 */
class CompareMethodsCommandTest {
  @TempDir Path tmp;

  @Test
  void comparesMethodsOnTheDemoShapesAndWritesTheReport() throws Exception {
    Path data = tmp.resolve("shapes");
    CliRun made = CliRun.of("demo-data", "--out", data.toString(), "--count", "8");
    assertEquals(0, made.code(), made.err());
    List<String> boxes = Files.readAllLines(data.resolve("boxes.csv"));
    assertEquals(9, boxes.size(), "header and one row per image");
    assertTrue(Files.exists(data.resolve(boxes.get(1).split(",")[0])), boxes.get(1));

    Path out = tmp.resolve("report");
    CliRun r = CliRun.of("compare-methods", "--model", "../saved_models/shapes", "--data", data.toString(), "--boxes",
        data.resolve("boxes.csv").toString(), "--methods", "gradcam-book,scorecam,saliency", "--sanity-images", "2",
        "--show", "2", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    String html = Files.readString(out.resolve("index.html"));
    for (String method : List.of("gradcam-book", "scorecam", "saliency")) {
      assertTrue(html.contains("<td class=\"name\">" + method + "</td>"), method);
      assertTrue(Files.exists(out.resolve("maps/1_" + method.replace('-', '_') + ".png")), method + " map");
    }
    for (String metric : List.of("pointing game", "deletion AUC", "insertion AUC", "ROAD MoRF", "average drop",
        "increase", "randomization")) {
      assertTrue(html.contains(metric), metric);
    }
    String book = r.out().lines().filter(l -> l.startsWith("gradcam-book")).findFirst().orElseThrow();
    assertEquals(1.0, Double.parseDouble(book.trim().split("\\s+")[2]), 0.13, "pointing game of the book's Grad-CAM: " + book);
    assertFalse(html.contains("NaN"), "no NaN in the report");
  }

  @Test
  void badMethodsAndBoxesAreRefusedByName() throws Exception {
    Path data = tmp.resolve("shapes");
    assertEquals(0, CliRun.of("demo-data", "--out", data.toString(), "--count", "4").code());
    CliRun m = CliRun.of("compare-methods", "--model", "../saved_models/shapes", "--data", data.toString(),
        "--methods", "gradcam,nope");
    assertEquals(2, m.code(), m.err());
    assertTrue(m.err().contains("nope"), m.err());
    Path bad = tmp.resolve("boxes.csv");
    Files.writeString(bad, "file,left,top,right,bottom\ncircle/00000.png,10,10,5,20\n");
    CliRun b = CliRun.of("compare-methods", "--model", "../saved_models/shapes", "--data", data.toString(),
        "--boxes", bad.toString());
    assertEquals(1, b.code(), b.err());
    assertTrue(b.err().contains("line 2") && b.err().contains("right"), b.err());
  }
}
