package dev.convlens.cli;

import dev.convlens.bridge.InvalidInputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FiltersCommandTest {
  @TempDir
  Path dir;

  @Test
  void parsesRangesAndIndices() {
    assertEquals(List.of(0, 1, 2, 3), IndexList.parse("--filters", "0-3"));
    assertEquals(List.of(5, 0, 10, 11, 12), IndexList.parse("--filters", "5, 0,10-12"));
    assertThrows(InvalidInputException.class, () -> IndexList.parse("--filters", "3-1"));
    assertThrows(InvalidInputException.class, () -> IndexList.parse("--filters", "a-b"));
  }

  @Test
  void writesTheGridAndShowsProgressOnStderr() throws Exception {
    Path out = dir.resolve("grid.png");
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(new String[] {"filters", "--model", "vgg16", "--random-weights", "1", "--layer", "block1_conv2",
        "--filters", "0-3", "--size", "32", "--steps", "3", "--out", out.toString()},
        new PrintWriter(o, true), new PrintWriter(e, true));
    assertEquals(0, code, e.toString());
    BufferedImage grid = ImageIO.read(out.toFile());
    assertEquals(2 * 32 + 5, grid.getWidth()); // 4 filters: 2 x 2 tiles of 32, margin 5
    assertTrue(e.toString().contains("\r[") && e.toString().contains("4/4 filters"), e.toString());
    assertTrue(o.toString().startsWith("wrote "), o.toString());
  }

  @Test
  void aFilterOutOfRangeIsAOneLineFailureNamingTheRange() {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(new String[] {"filters", "--model", "vgg16", "--random-weights", "1", "--layer", "block1_conv1",
        "--filters", "60-70", "--size", "32", "--out", dir.resolve("x.png").toString()},
        new PrintWriter(o, true), new PrintWriter(e, true));
    assertEquals(1, code);
    assertTrue(e.toString().contains("block1_conv1") && e.toString().contains("0-63"), e.toString());
  }
}
