package dev.convlens.visualize.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.InvalidInputException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnimationTest {
  private static final String FORMAT = "javax_imageio_gif_image_1.0";

  @TempDir Path tmp;

  /** A w x h frame of four flat quadrants; the colours differ from frame to frame. */
  private static BufferedImage blocks(int w, int h, int type, Color... quadrants) {
    BufferedImage img = new BufferedImage(w, h, type);
    Graphics2D g = img.createGraphics();
    int[][] at = {{0, 0}, {w / 2, 0}, {0, h / 2}, {w / 2, h / 2}};
    for (int q = 0; q < 4; q++) {
      g.setColor(quadrants[q]);
      g.fillRect(at[q][0], at[q][1], w - w / 2, h - h / 2);
    }
    g.dispose();
    return img;
  }

  private static List<BufferedImage> threeFrames() {
    int rgb = BufferedImage.TYPE_INT_RGB;
    return List.of(
        blocks(12, 8, rgb, Color.RED, Color.GREEN, Color.BLUE, Color.WHITE),
        blocks(12, 8, rgb, new Color(10, 20, 30), new Color(200, 100, 50), Color.BLACK, new Color(1, 2, 3)),
        // an opaque ARGB frame is encoded like an RGB one
        blocks(12, 8, BufferedImage.TYPE_INT_ARGB, Color.YELLOW, Color.CYAN, Color.MAGENTA, Color.GRAY));
  }

  /** What a reader sees: every frame's pixels and native metadata. */
  private record Read(List<BufferedImage> frames, List<IIOMetadataNode> metadata) {}

  private static Read read(byte[] gif) throws IOException {
    ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif))) {
      reader.setInput(in);
      int n = reader.getNumImages(true);
      List<BufferedImage> frames = new ArrayList<>();
      List<IIOMetadataNode> metadata = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        frames.add(reader.read(i));
        metadata.add((IIOMetadataNode) reader.getImageMetadata(i).getAsTree(FORMAT));
      }
      return new Read(frames, metadata);
    } finally {
      reader.dispose();
    }
  }

  private static IIOMetadataNode node(IIOMetadataNode root, String name) {
    var found = root.getElementsByTagName(name);
    return found.getLength() == 0 ? null : (IIOMetadataNode) found.item(0);
  }

  private static void assertSamePixels(BufferedImage expected, BufferedImage actual, String what) {
    assertEquals(expected.getWidth(), actual.getWidth(), what + " width");
    assertEquals(expected.getHeight(), actual.getHeight(), what + " height");
    for (int y = 0; y < expected.getHeight(); y++) {
      for (int x = 0; x < expected.getWidth(); x++) {
        assertEquals(expected.getRGB(x, y) & 0xffffff, actual.getRGB(x, y) & 0xffffff,
            what + " pixel (" + x + ", " + y + ")");
      }
    }
  }

  @Test
  void everyFrameReadsBackWithItsPixelsDelayAndLoop() throws IOException {
    List<BufferedImage> frames = threeFrames();
    Read back = read(Animation.gif(frames, 250, true));

    assertEquals(3, back.frames().size());
    for (int i = 0; i < 3; i++) {
      assertSamePixels(frames.get(i), back.frames().get(i), "frame " + i);
      IIOMetadataNode control = node(back.metadata().get(i), "GraphicControlExtension");
      assertNotNull(control, "frame " + i + " has a graphic control extension");
      assertEquals("25", control.getAttribute("delayTime"), "250 ms in hundredths of a second");
      assertEquals("none", control.getAttribute("disposalMethod"));
    }
    IIOMetadataNode app = node(back.metadata().get(0), "ApplicationExtension");
    assertNotNull(app, "the first frame carries the looping extension");
    assertEquals("NETSCAPE", app.getAttribute("applicationID"));
    assertEquals("2.0", app.getAttribute("authenticationCode"));
    assertArrayEquals(new byte[] {1, 0, 0}, (byte[]) app.getUserObject(), "loop count 0: forever");
  }

  @Test
  void playedOnceHasNoLoopingExtensionAndDelaysRoundToHundredths() throws IOException {
    byte[] gif = Animation.gif(threeFrames(), 1236, false);
    Read back = read(gif);
    assertEquals(3, back.frames().size());
    for (IIOMetadataNode meta : back.metadata()) {
      assertNull(node(meta, "ApplicationExtension"));
      assertEquals("124", node(meta, "GraphicControlExtension").getAttribute("delayTime"));
    }
    // The blocks as the GIF89a spec lays them out: graphic control (disposal 0, 1236 ms -> 124 = 0x7c hundredths,
    // little-endian) before each image, and the NETSCAPE2.0 block (loop count 0) once when looping.
    byte[] control = {0x21, (byte) 0xf9, 4, 0, 0x7c, 0, 0, 0};
    assertEquals(3, occurrences(gif, control));
    assertEquals(0, occurrences(gif, NETSCAPE_LOOP_FOREVER));
    byte[] looping = Animation.gif(threeFrames(), 1236, true);
    assertEquals(3, occurrences(looping, control));
    assertEquals(1, occurrences(looping, NETSCAPE_LOOP_FOREVER));

    // the accepted range's ends: 2 and 65535 hundredths (the field's largest value)
    List<BufferedImage> one = threeFrames().subList(0, 1);
    assertEquals("2", node(read(Animation.gif(one, 20, false)).metadata().get(0), "GraphicControlExtension")
        .getAttribute("delayTime"));
    assertEquals("65535", node(read(Animation.gif(one, 655_350, false)).metadata().get(0),
        "GraphicControlExtension").getAttribute("delayTime"));
  }

  private static final byte[] NETSCAPE_LOOP_FOREVER = netscapeLoopForever();

  private static byte[] netscapeLoopForever() {
    byte[] id = "NETSCAPE2.0".getBytes(StandardCharsets.US_ASCII);
    byte[] block = new byte[3 + id.length + 5];
    block[0] = 0x21;
    block[1] = (byte) 0xff;
    block[2] = 11;
    System.arraycopy(id, 0, block, 3, id.length);
    byte[] tail = {3, 1, 0, 0, 0};
    System.arraycopy(tail, 0, block, 3 + id.length, tail.length);
    return block;
  }

  private static int occurrences(byte[] data, byte[] pattern) {
    int n = 0;
    for (int i = 0; i + pattern.length <= data.length; i++) {
      if (Arrays.equals(data, i, i + pattern.length, pattern, 0, pattern.length)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void transparentPixelsBecomeBlack() throws IOException {
    BufferedImage argb = new BufferedImage(4, 2, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 2; y++) {
      argb.setRGB(0, y, 0xff0000ff); // opaque blue
      argb.setRGB(1, y, 0xff0000ff);
      argb.setRGB(2, y, 0x00ff0000); // fully transparent red
      argb.setRGB(3, y, 0x00ff0000);
    }
    BufferedImage back = read(Animation.gif(List.of(argb), 100, false)).frames().get(0);
    assertEquals(0x0000ff, back.getRGB(0, 1) & 0xffffff);
    assertEquals(0x000000, back.getRGB(3, 1) & 0xffffff);
  }

  @Test
  void framesOfAFewRowsKeepEveryRow() throws IOException {
    for (int h = 1; h <= 9; h++) {
      BufferedImage striped = new BufferedImage(3, h, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < 3; x++) {
          striped.setRGB(x, y, y % 2 == 0 ? 0x0000ff : 0xffff00);
        }
      }
      assertSamePixels(striped, read(Animation.gif(List.of(striped), 100, false)).frames().get(0), h + " rows");
    }
  }

  /** Snapshots of an optimization have thousands of colours: the writer's quantizer keeps them close. */
  @Test
  void framesOfManyColoursAreReducedToNearbyOnes() throws IOException {
    BufferedImage gradient = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        gradient.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | (x + y) * 2); // 4096 colours
      }
    }
    BufferedImage back = read(Animation.gif(List.of(gradient), 100, false)).frames().get(0);
    int worst = 0;
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        for (int shift = 0; shift < 24; shift += 8) {
          int d = ((gradient.getRGB(x, y) >> shift) & 0xff) - ((back.getRGB(x, y) >> shift) & 0xff);
          worst = Math.max(worst, Math.abs(d));
        }
      }
    }
    assertTrue(worst <= 32, "largest channel error " + worst + " (19 seen with JDK 17)");
  }

  @Test
  void writeGifWritesTheWholeFileAndNothingBeside() throws IOException {
    Path file = tmp.resolve("out/optimization.gif");
    Animation.writeGif(threeFrames(), 100, true, file);
    Read back = read(Files.readAllBytes(file));
    assertEquals(3, back.frames().size());
    assertSamePixels(threeFrames().get(1), back.frames().get(1), "frame 1");
    try (var files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temporary file left");
    }
  }

  @Test
  void badFramesLeaveAnEarlierFileAsItWas() throws IOException {
    Path file = tmp.resolve("a.gif");
    Animation.writeGif(threeFrames(), 100, true, file);
    byte[] before = Files.readAllBytes(file);
    List<BufferedImage> mixed = List.of(threeFrames().get(0), new BufferedImage(8, 12, BufferedImage.TYPE_INT_RGB));
    assertThrows(InvalidInputException.class, () -> Animation.writeGif(mixed, 100, true, file));
    assertArrayEquals(before, Files.readAllBytes(file));
    try (var files = Files.list(tmp)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void stripLaysFramesLeftToRightOnBlack() {
    List<BufferedImage> frames = threeFrames();
    BufferedImage s = Animation.strip(frames, 4);
    assertEquals(3 * 12 + 2 * 4, s.getWidth());
    assertEquals(8, s.getHeight());
    assertEquals(Color.RED.getRGB() & 0xffffff, s.getRGB(0, 0) & 0xffffff);
    assertEquals(Color.BLACK.getRGB() & 0xffffff, s.getRGB(12, 0) & 0xffffff, "margin");
    assertEquals(Color.BLACK.getRGB() & 0xffffff, s.getRGB(15, 7) & 0xffffff, "margin");
    assertEquals(new Color(10, 20, 30).getRGB() & 0xffffff, s.getRGB(16, 0) & 0xffffff, "frame 1 starts at 12 + 4");
    assertEquals(Color.GRAY.getRGB() & 0xffffff, s.getRGB(43, 7) & 0xffffff, "frame 2's last pixel");
    assertEquals(12, Animation.strip(frames.subList(0, 1), 4).getWidth(), "one frame: no margin");
  }

  @Test
  void badInputsSayWhatWasExpected() {
    BufferedImage a = new BufferedImage(12, 8, BufferedImage.TYPE_INT_RGB);
    BufferedImage b = new BufferedImage(12, 9, BufferedImage.TYPE_INT_RGB);
    List<BufferedImage> mixed = List.of(a, a, b);

    var empty = assertThrows(InvalidInputException.class, () -> Animation.gif(List.of(), 100, true));
    assertTrue(empty.getMessage().contains("at least one frame"), empty.getMessage());
    var sizes = assertThrows(InvalidInputException.class, () -> Animation.gif(mixed, 100, true));
    assertTrue(sizes.getMessage().contains("frame 2 is 12x9, expected 12x8"), sizes.getMessage());
    var strip = assertThrows(InvalidInputException.class, () -> Animation.strip(mixed, 2));
    assertTrue(strip.getMessage().contains("frame 2 is 12x9, expected 12x8"), strip.getMessage());
    assertThrows(InvalidInputException.class, () -> Animation.strip(List.of(), 2));
    var margin = assertThrows(InvalidInputException.class, () -> Animation.strip(List.of(a), -1));
    assertTrue(margin.getMessage().contains("margin"), margin.getMessage());
    for (int millis : new int[] {0, 10, 19, 655_351}) {
      var delay = assertThrows(InvalidInputException.class, () -> Animation.gif(List.of(a), millis, true));
      assertTrue(delay.getMessage().contains("frameMillis"), delay.getMessage());
    }
    assertThrows(InvalidInputException.class, () -> Animation.gif(null, 100, true));
    assertThrows(InvalidInputException.class,
        () -> Animation.gif(Arrays.asList(a, null), 100, true));
    assertThrows(InvalidInputException.class, () -> Animation.writeGif(List.of(a), 100, true, null));
  }
}
