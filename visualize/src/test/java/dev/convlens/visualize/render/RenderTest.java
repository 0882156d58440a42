package dev.convlens.visualize.render;

import dev.convlens.bridge.InvalidInputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convlens.bridge.FloatTensor;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderTest {
  @TempDir Path tmp;

  @Test
  void viridisEndsAreThePublishedColors() {
    // viridis starts at (0.267004, 0.004874, 0.329415) and ends at (0.993248, 0.906157, 0.143936): x255, rounded.
    assertEquals((68 << 16) | (1 << 8) | 84, Colormap.VIRIDIS.rgb(0));
    assertEquals((253 << 16) | (231 << 8) | 37, Colormap.VIRIDIS.rgb(1));
    assertEquals(Colormap.VIRIDIS.rgb(0), Colormap.VIRIDIS.rgb(Double.NaN));
  }

  @Test
  void jetRunsFromDarkBlueToDarkRed() {
    // matplotlib jet: blue 0.5 at 0, red 0.5 at 1.
    assertEquals(128, Colormap.JET.rgb(0) & 0xff);
    assertEquals(128, Colormap.JET.rgb(1) >> 16);
  }

  @Test
  void gridOfTheBookIsEightTilesOfSixtyFourWithMarginsOfFive() {
    List<BufferedImage> tiles = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      tiles.add(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB));
    }
    BufferedImage g = Grid.of(tiles, 8, 5, Color.BLACK);
    assertEquals(8 * 64 + 7 * 5, g.getWidth());
    assertEquals(8 * 64 + 7 * 5, g.getHeight());
    assertThrows(InvalidInputException.class, () -> Grid.of(List.of(), 8, 5, Color.BLACK));
  }

  @Test
  void imagesAreClippedTruncatedAndWrittenWhole() throws Exception {
    FloatTensor a = FloatTensor.of(new float[] {-3f, 0.9f, 254.99f, 300f, Float.NaN, 128.5f}, 1, 2, 3);
    BufferedImage img = Images.rgb(a);
    assertEquals((0 << 16) | (0 << 8) | 254, img.getRGB(0, 0) & 0xffffff);
    assertEquals((255 << 16) | (0 << 8) | 128, img.getRGB(1, 0) & 0xffffff);
    Path file = tmp.resolve("out/a.png");
    Images.write(img, file);
    BufferedImage back = ImageIO.read(file.toFile());
    assertEquals(img.getRGB(1, 0), back.getRGB(1, 0));
    try (var files = Files.list(file.getParent())) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
    }
  }
}
