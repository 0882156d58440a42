package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.cli.demo.DemoModel;
import dev.convlens.cli.demo.Shapes;
import dev.convlens.visualize.render.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `convlens features` on the committed demo model (64x64 input, conv1..conv4 of 16, 32, 64, 64 channels). */
class FeaturesCommandTest {
  private static final String MODEL = Path.of("..").resolve(DemoModel.DIRECTORY).toString();

  @TempDir
  Path dir;

  @Test
  void parsesRangesAndIndicesAndNamesTheOption() {
    assertEquals(List.of(0, 1, 2, 3, 20), IndexList.parse("--channels", "0-3,20"));
    assertEquals(List.of(386, 9), IndexList.parse("--class", " 386, 9"));
    InvalidInputException backwards = assertThrows(InvalidInputException.class,
        () -> IndexList.parse("--channels", "5-2"));
    assertTrue(backwards.getMessage().contains("--channels"), backwards.getMessage());
    assertThrows(InvalidInputException.class, () -> IndexList.parse("--class", "x"));
    assertThrows(InvalidInputException.class, () -> IndexList.parse("--class", "-1"));
  }

  @Test
  void channelsWriteGridPicturesValuesAndTheAnimation() throws IOException {
    Path out = dir.resolve("out");
    Path gif = dir.resolve("run.gif");
    Path strip = dir.resolve("strip.png");
    CliRun r = CliRun.of("features", "--model", MODEL, "--layer", "conv3", "--channels", "0-2,5", "--steps", "12",
        "--snapshot-every", "4", "--gif", gif.toString(), "--strip", strip.toString(), "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("\r[") && r.err().contains("4/4 objectives"), r.err());
    assertTrue(r.out().startsWith("wrote "), r.out());
    BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
    // 4 tiles in rows of 2: 64 px pictures under 22 px title bands, 4 px apart
    assertEquals(2 * 64 + 4, grid.getWidth());
    assertEquals(2 * (64 + 22) + 4, grid.getHeight());
    for (String f : List.of("channel_0000.png", "channel_0001.png", "channel_0002.png", "channel_0005.png")) {
      BufferedImage picture = ImageIO.read(out.resolve(f).toFile());
      assertEquals(64, picture.getWidth(), f);
      assertEquals(64, picture.getHeight(), f);
    }
    List<String> values = Files.readAllLines(out.resolve("values.tsv"));
    assertEquals("objective\tfirst_value\tfinal_value\tdead\tstarts", values.get(0));
    assertEquals(1 + 4, values.size(), values.toString());
    assertTrue(values.get(4).startsWith("channel(conv3, 5)\t"), values.get(4));
    for (String row : values.subList(1, values.size())) {
      String[] cells = row.split("\t");
      assertEquals(5, cells.length, row);
      Double.parseDouble(cells[1]);
      Double.parseDouble(cells[2]);
      assertTrue(cells[3].equals("true") || cells[3].equals("false"), row);
      assertTrue(Integer.parseInt(cells[4]) >= 1, row);
    }
    // snapshots at steps 0, 4 and 8, and the final picture
    assertEquals(4, gifFrames(gif));
    assertTrue(r.out().contains("4 snapshots"), r.out());
    BufferedImage s = ImageIO.read(strip.toFile());
    assertEquals(4 * 64 + 3 * 2, s.getWidth(), "4 snapshots 2 px apart");
    assertEquals(4 * 64 + 3 * 4, s.getHeight(), "one row per objective, 4 px apart");
  }

  @Test
  void compareMeasuresBothRendersAgainstTheReferenceImages() throws IOException {
    Path shapes = dir.resolve("shapes");
    for (int i = 0; i < 12; i++) {
      Shapes.Sample sample = Shapes.sample(DemoModel.HELD_OUT_SEED, i);
      Path file = shapes.resolve(sample.className()).resolve(i + ".png"); // in class folders: searched recursively
      Files.createDirectories(file.getParent());
      Images.write(Images.rgb(sample.image()), file);
    }
    Files.writeString(shapes.resolve("notes.txt"), "not an image");
    Path out = dir.resolve("cmp");
    CliRun r = CliRun.of("features", "--model", MODEL, "--layer", "conv2", "--channels", "0-2", "--steps", "8",
        "--reference", shapes.toString(), "--compare", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("pixel space: 3/3 objectives"), "the bar runs over both renders: " + r.err());
    for (String tsv : List.of("quality.tsv", "quality-pixels.tsv")) {
      List<String> rows = Files.readAllLines(out.resolve(tsv));
      assertEquals("objective\tactivation_ratio\trobustness\tselectivity\tdead", rows.get(0), tsv);
      assertEquals(1 + 3, rows.size(), tsv + ": " + rows);
      for (String row : rows.subList(1, rows.size())) {
        String[] cells = row.split("\t");
        assertEquals(5, cells.length, row);
        for (int c = 1; c <= 3; c++) {
          assertTrue(cells[c].equals("inf") || Double.parseDouble(cells[c]) >= 0, row);
        }
      }
    }
    assertTrue(ImageIO.read(out.resolve("grid-pixels.png").toFile()).getWidth() > 64);
    String html = Files.readString(out.resolve("compare.html"));
    assertTrue(html.contains("src=\"grid.png\"") && html.contains("src=\"grid-pixels.png\""), "both grids");
    assertTrue(html.contains("over 12 reference images"), "the 12 PNGs, not notes.txt");
    assertEquals(2, html.split("reach their dataset maximum", -1).length - 1, "one summary per render");
    assertEquals(3, html.split("<tr><td class=\"name\">", -1).length - 1, "one table row per channel");
    assertTrue(r.out().contains("readable: ") && r.out().contains("pixel space: "), r.out());
  }

  @Test
  void classLogitsAndDeepDreamFromAPicture() throws IOException {
    Path out = dir.resolve("classes");
    CliRun r = CliRun.of("features", "--model", MODEL, "--class", "0,3", "--steps", "4", "--param", "pixels",
        "--transforms", "none", "--tv", "0.1", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(64, ImageIO.read(out.resolve("class_0003.png").toFile()).getWidth());
    List<String> values = Files.readAllLines(out.resolve("values.tsv"));
    assertEquals(3, values.size(), values.toString());
    assertTrue(values.get(1).startsWith("classLogit(0) - 0.1 * totalVariation()\t"), values.get(1));

    Path start = dir.resolve("start.png");
    Images.write(Images.rgb(Shapes.sample(DemoModel.HELD_OUT_SEED, 0).image()), start);
    Path dream = dir.resolve("dream");
    CliRun d = CliRun.of("features", "--model", MODEL, "--layer", "conv2", "--deepdream", "--start", start.toString(),
        "--steps", "4", "--out", dream.toString());
    assertEquals(0, d.code(), d.err());
    assertEquals(64, ImageIO.read(dream.resolve("deepdream.png").toFile()).getHeight());
    assertTrue(Files.readAllLines(dream.resolve("values.tsv")).get(1).startsWith("layer(conv2)\t"));
  }

  @Test
  void badOptionsAreClearErrors() {
    String out = dir.resolve("x").toString();
    CliRun range = CliRun.of("features", "--model", MODEL, "--layer", "conv1", "--channels", "10-20", "--steps", "2",
        "--out", out);
    assertEquals(1, range.code());
    assertTrue(range.err().contains("conv1") && range.err().contains("0-15"), range.err());
    assertFalse(range.err().contains("\tat "), range.err());

    CliRun noRef = CliRun.of("features", "--model", MODEL, "--layer", "conv1", "--compare", "--out", out);
    assertEquals(2, noRef.code());
    assertTrue(noRef.err().contains("--reference"), noRef.err());

    CliRun both = CliRun.of("features", "--model", MODEL, "--layer", "conv1", "--class", "1", "--out", out);
    assertEquals(2, both.code());
    assertTrue(both.err().contains("--class"), both.err());

    CliRun param = CliRun.of("features", "--model", MODEL, "--layer", "conv1", "--param", "wavelets", "--out", out);
    assertEquals(2, param.code());
    assertTrue(param.err().contains("fourier, pixels or laplacian"), param.err());

    CliRun klass = CliRun.of("features", "--model", MODEL, "--class", "7", "--steps", "2", "--out", out);
    assertEquals(1, klass.code());
    assertTrue(klass.err().contains("class 7") && klass.err().contains("4 classes"), klass.err());
  }

  private static int gifFrames(Path gif) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
      try {
        reader.setInput(in);
        return reader.getNumImages(true);
      } finally {
        reader.dispose();
      }
    }
  }
}
