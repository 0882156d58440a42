package dev.convlens.bridge.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.awt.image.BufferedImage;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile image files, each built here: decompression bombs (pixels, TIFF tiles, JPEG scans),
 * metadata bombs, endless inputs and files without pixels. Each must end in an {@link ImageReadException} naming the file, fast and
 * without the heap growing with what the file declares.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ImageLimitsTest {
  private static final long MIB = 1 << 20;

  @TempDir Path tmp;

  @Test
  void defaultsAndWithers() {
    ImageLimits d = ImageLimits.defaults();
    assertEquals(178_956_970L, d.maxPixels(), "Pillow's DecompressionBombError point, 2 x MAX_IMAGE_PIXELS");
    assertEquals(256 * MIB, d.maxBytes());
    assertEquals(32, d.maxJpegScans());
    assertEquals(new ImageLimits(1000, 2000, 3), d.withMaxPixels(1000).withMaxBytes(2000).withMaxJpegScans(3));
    assertThrows(InvalidInputException.class, () -> d.withMaxPixels(0));
    assertThrows(InvalidInputException.class, () -> d.withMaxBytes(-1));
    assertThrows(InvalidInputException.class, () -> d.withMaxJpegScans(0));
  }

  @Test
  void hugeDeclaredSizeIsRefusedFromTheHeader() throws IOException {
    // 20000 x 20000 RGB zeros: 1.2 GB of rows, about 1.2 MB deflated; decoded it would take 8 GB
    int side = 20_000;
    byte[] idat = PngChunks.deflatedZeros((long) side * (1 + 3L * side));
    Path png = Files.write(tmp.resolve("bomb.png"), new PngChunks().ihdr(side, side, 2).chunk("IDAT", idat).iend().bytes());
    assertTrue(Files.size(png) < 2 * MIB, "the bomb is small: " + Files.size(png));

    ImageReadException e = bounded(() -> assertThrows(ImageReadException.class, () -> KerasImages.loadImg(png)));
    assertNamed(e, png, "20000x20000 = 400000000 pixels, more than the limit of 178956970");
  }

  @Test
  void anImageThatCannotFitInTheHeapIsRefusedFromItsHeader() throws IOException {
    // with the pixel limit lifted, 60000 x 60000 RGB still needs 3.6 G pixels x 15 bytes
    long heap = Runtime.getRuntime().maxMemory();
    assumeTrue(heap < 50L << 30, "this JVM's heap could hold it");
    Path png = Files.write(tmp.resolve("huge.png"),
        new PngChunks().ihdr(60_000, 60_000, 2).chunk("IDAT", PngChunks.deflatedZeros(1000)).iend().bytes());
    ImageLimits unlimited = ImageLimits.defaults().withMaxPixels(Long.MAX_VALUE);
    ImageReadException e = bounded(() -> assertThrows(ImageReadException.class,
        () -> KerasImages.loadImg(png, 0, 0, ColorMode.RGB, unlimited)));
    assertNamed(e, png, "PNG image of 60000x60000 pixels needs about");
    assertTrue(e.getMessage().contains("more than this JVM's maximum heap of " + (heap >> 20) + " MiB"), e.getMessage());
  }

  @Test
  void zeroBitColourComponentsAreRefused() {
    // what a damaged TIFF decodes to: a packed colour model whose red mask is empty
    DirectColorModel cm = new DirectColorModel(32, 0, 0x40000000, 0x3FFFFFFF);
    BufferedImage img = new BufferedImage(cm, cm.createCompatibleWritableRaster(2, 2), false, null);
    ImageReadException e = assertThrows(ImageReadException.class, () -> KerasImages.fromBufferedImage(img, ColorMode.RGB));
    assertTrue(e.getMessage().contains("component 0 has 0 bits per sample"), e.getMessage());
  }

  @Test
  void pixelLimitIsAnOption() throws IOException {
    Path png = write(new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB), "png", "square.png");
    ImageLimits limits = ImageLimits.defaults().withMaxPixels(100 * 100 - 1);
    ImageReadException e = assertThrows(ImageReadException.class,
        () -> KerasImages.loadImg(png, 0, 0, ColorMode.RGB, limits));
    assertNamed(e, png, "more than the limit of 9999 (ImageLimits.maxPixels");

    FloatTensor full = KerasImages.loadImg(png, 0, 0, ColorMode.RGB, limits.withMaxPixels(100 * 100));
    assertEquals(KerasImages.loadImg(png), full, "the full overload with 0 x 0 keeps the original size");
    assertArrayEquals(new long[] {7, 9, 1},
        KerasImages.loadImg(png, 7, 9, ColorMode.GRAYSCALE, limits.withMaxPixels(100 * 100)).shape());
    // the limit is on the file's pixels, not on the requested size
    assertThrows(ImageReadException.class, () -> KerasImages.loadImg(png, 7, 9, ColorMode.RGB, limits));
    assertThrows(InvalidInputException.class, () -> KerasImages.loadImg(png, 0, 9, ColorMode.RGB, limits));
    assertThrows(InvalidInputException.class, () -> KerasImages.loadImg(png, 7, 9, ColorMode.RGB, null));
  }

  @Test
  void byteLimitIsCheckedBeforeReading() throws IOException {
    Path png = write(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB), "png", "small.png");
    long size = Files.size(png);
    ImageLimits limits = ImageLimits.defaults().withMaxBytes(size - 1);
    ImageReadException e = assertThrows(ImageReadException.class,
        () -> KerasImages.loadImg(png, 0, 0, ColorMode.RGB, limits));
    assertNamed(e, png, "image file of " + size + " bytes is larger than the limit of " + (size - 1));
    assertArrayEquals(new long[] {10, 10, 3},
        KerasImages.loadImg(png, 0, 0, ColorMode.RGB, limits.withMaxBytes(size)).shape());
  }

  @Test
  void boundedInputStopsAtTheCapEvenWhenTheInputGrows() throws IOException {
    byte[] hundred = new byte[100];
    // the size said 10 (the file grew after it was measured): read on, but never past the cap
    assertNull(BoundedInput.readAtMost(new ByteArrayInputStream(hundred), 10, 50));
    assertEquals(100, BoundedInput.readAtMost(new ByteArrayInputStream(hundred), 10, 100).length);
    assertEquals(60, BoundedInput.readAtMost(new ByteArrayInputStream(hundred, 0, 60), 100, 100).length, "shrank");
    assertEquals(0, BoundedInput.readAtMost(new ByteArrayInputStream(new byte[0]), 0, 1).length);
  }

  @Test
  void textChunkBombsAreNotInflated() throws IOException {
    // 64 MiB of zeros behind a zTXt (and a compressed iTXt) chunk of about 64 KB each
    byte[] zeros = PngChunks.deflatedZeros(64 * MIB);
    byte[] ztxt = PngChunks.single("zTXt", concat("Comment\0\0".getBytes(StandardCharsets.ISO_8859_1), zeros));
    byte[] itxt = PngChunks.single("iTXt", concat("Comment\0\1\0\0\0".getBytes(StandardCharsets.ISO_8859_1), zeros));

    BufferedImage rgb = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(3, 4, 0x123456);
    byte[] r = {0, (byte) 200}, g = {0, 100}, b = {0, 50};
    BufferedImage palette = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(1, 2, r, g, b));
    palette.getRaster().setSample(3, 4, 0, 1);
    for (BufferedImage img : new BufferedImage[] {rgb, palette}) {
      byte[] plain = Files.readAllBytes(write(img, "png", "plain.png"));
      float[] expected = KerasImages.fromBufferedImage(img, ColorMode.RGB).data();
      Path bomb = Files.write(tmp.resolve("text-bomb-" + img.getType() + ".png"),
          PngChunks.insertAfterIhdr(PngChunks.insertAfterIhdr(plain, ztxt), itxt));
      FloatTensor loaded = bounded(() -> KerasImages.loadImg(bomb));
      assertArrayEquals(expected, loaded.data(), "pixels of " + bomb);
    }
  }

  @Test
  void pngWithoutImageDataIsNamed() throws IOException {
    Path noIdat = Files.write(tmp.resolve("no-idat.png"), new PngChunks().ihdr(8, 8, 2).iend().bytes());
    assertNamed(assertThrows(ImageReadException.class, () -> KerasImages.loadImg(noIdat)), noIdat,
        "PNG image has no image data: no IDAT chunk before IEND");

    byte[] plte = {0, 0, 0, (byte) 255, (byte) 255, (byte) 255};
    Path paletteNoIdat = Files.write(tmp.resolve("palette-no-idat.png"),
        new PngChunks().ihdr(8, 8, 3).chunk("PLTE", plte).iend().bytes());
    assertNamed(assertThrows(ImageReadException.class, () -> KerasImages.loadImg(paletteNoIdat)), paletteNoIdat,
        "no IDAT chunk");

    Path headerOnly = Files.write(tmp.resolve("header-only.png"), new PngChunks().ihdr(8, 8, 2).bytes());
    assertNamed(assertThrows(ImageReadException.class, () -> KerasImages.loadImg(headerOnly)), headerOnly,
        "ends before any image data (IDAT chunk)");

    Path zeroWide = Files.write(tmp.resolve("zero-wide.png"),
        new PngChunks().ihdr(0, 8, 2).chunk("IDAT", PngChunks.deflatedZeros(8)).iend().bytes());
    assertNamed(assertThrows(ImageReadException.class, () -> KerasImages.loadImg(zeroWide)), zeroWide, "PNG");
  }

  @Test
  void bmpWithEmbeddedPngIsRefused() throws IOException {
    byte[] bmp = Files.readAllBytes(write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "bmp", "plain.bmp"));
    bmp[30] = 5; // BI_PNG: the JDK reader would allocate the declared image size and decode it unchecked
    bmp[34] = (byte) 0xFF; // image size 2 GiB - 1
    bmp[35] = (byte) 0xFF;
    bmp[36] = (byte) 0xFF;
    bmp[37] = (byte) 0x7F;
    Path file = Files.write(tmp.resolve("embedded.bmp"), bmp);
    assertNamed(bounded(() -> assertThrows(ImageReadException.class, () -> KerasImages.loadImg(file))), file,
        "unsupported BMP compression 5 (embedded PNG)");
  }

  @Test
  void progressiveJpegScansAreCounted() throws IOException {
    BufferedImage img = new BufferedImage(128, 96, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 96; y++) {
      for (int x = 0; x < 128; x++) {
        img.setRGB(x, y, x * 0x010000 + y * 0x000100 + (x ^ y) % 256);
      }
    }
    byte[] jpeg = progressiveJpeg(img);
    Path file = Files.write(tmp.resolve("progressive.jpg"), jpeg);
    float[] reference = KerasImages.fromBufferedImage(ImageIO.read(file.toFile()), ColorMode.RGB).data();
    assertArrayEquals(reference, KerasImages.loadImg(file).data());

    // 100 copies of the last (tiny) scan: 1 KB more, and javax.imageio renders the image after each
    int last = lastIndexOf(jpeg, (byte) 0xFF, (byte) 0xDA);
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    bomb.write(jpeg, 0, jpeg.length - 2);
    for (int i = 0; i < 100; i++) {
      bomb.write(jpeg, last, jpeg.length - 2 - last);
    }
    bomb.write(jpeg, jpeg.length - 2, 2);
    Path many = Files.write(tmp.resolve("many-scans.jpg"), bomb.toByteArray());
    assertNamed(bounded(() -> assertThrows(ImageReadException.class, () -> KerasImages.loadImg(many))), many,
        "JPEG image has more than 32 scans (ImageLimits.maxJpegScans)");
    ImageLimits more = ImageLimits.defaults().withMaxJpegScans(110);
    assertArrayEquals(new long[] {96, 128, 3}, KerasImages.loadImg(many, 0, 0, ColorMode.RGB, more).shape());
    ImageLimits fewer = ImageLimits.defaults().withMaxJpegScans(5);
    assertThrows(ImageReadException.class, () -> KerasImages.loadImg(file, 0, 0, ColorMode.RGB, fewer), "10 scans");
  }

  @Test
  void tiffTilesLargerThanThePixelLimitAreRefused() throws IOException {
    ImageWriter w = ImageIO.getImageWritersByFormatName("tiff").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      w.setOutput(out);
      ImageWriteParam p = w.getDefaultWriteParam();
      p.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
      p.setTiling(16, 16, 0, 0);
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionType("Deflate");
      w.write(null, new IIOImage(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), null, null), p);
    } finally {
      w.dispose();
    }
    Path plain = Files.write(tmp.resolve("tiled.tif"), bytes.toByteArray());
    assertArrayEquals(new long[] {16, 16, 3}, KerasImages.loadImg(plain).shape());

    // the same 16x16 image declaring 16384x16384 tiles: the reader would allocate 800 MB for one
    ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
    b.order(b.get(0) == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    int ifd = b.getInt(4);
    for (int i = 0, n = b.getShort(ifd) & 0xFFFF; i < n; i++) {
      int entry = ifd + 2 + 12 * i;
      int tag = b.getShort(entry) & 0xFFFF;
      if (tag == 322 || tag == 323) { // TileWidth, TileLength: as LONG 16384
        b.putShort(entry + 2, (short) 4).putInt(entry + 4, 1).putInt(entry + 8, 16384);
      }
    }
    Path bomb = Files.write(tmp.resolve("tile-bomb.tif"), b.array());
    assertNamed(bounded(() -> assertThrows(ImageReadException.class, () -> KerasImages.loadImg(bomb))), bomb,
        "image of 16x16 declares tiles of 16384x16384 pixels");
  }

  @Test
  void devicesPipesDirectoriesAndLinkLoopsFailAtOnce() throws Exception {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero), "no /dev/zero here");
    assertNamed(bounded(() -> assertThrows(ImageReadException.class, () -> KerasImages.loadImg(zero))), zero,
        "not a regular file");

    Path fifo = tmp.resolve("pipe.png");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo is not available here");
    // nobody writes to the pipe: opening it would block forever
    assertNamed(bounded(() -> assertThrows(ImageReadException.class, () -> KerasImages.loadImg(fifo))), fifo,
        "not a regular file");
    assertNamed(assertThrows(ImageReadException.class, () -> KerasImages.loadImg(tmp)), tmp, "a directory");
    Path loop = Files.createSymbolicLink(tmp.resolve("loop.png"), tmp.resolve("loop.png"));
    assertNamed(assertThrows(ImageReadException.class, () -> KerasImages.loadImg(loop)), loop, "a symbolic link loop");
  }

  // ---------------------------------------------------------------- helpers

  /** Runs {@code call} on this thread and checks it took under a second and allocated under 32 MiB. */
  static <T> T bounded(Supplier<T> call) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long bytes0 = threads.getCurrentThreadAllocatedBytes();
    long t0 = System.nanoTime();
    T result = call.get();
    long millis = (System.nanoTime() - t0) / 1_000_000;
    long allocated = threads.getCurrentThreadAllocatedBytes() - bytes0;
    assertTrue(millis < 1000, "took " + millis + " ms");
    assertTrue(allocated < 32 * MIB, "allocated " + allocated / MIB + " MiB");
    return result;
  }

  private static void assertNamed(ImageReadException e, Path file, String fragment) {
    assertSame(file, e.source());
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
  }

  private Path write(BufferedImage img, String format, String name) throws IOException {
    Path f = tmp.resolve(name);
    assertTrue(ImageIO.write(img, format, f.toFile()), "no " + format + " writer for " + img);
    return f;
  }

  private static byte[] progressiveJpeg(BufferedImage img) throws IOException {
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      w.setOutput(out);
      ImageWriteParam p = w.getDefaultWriteParam();
      p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT); // libjpeg's default progression: 10 scans
      w.write(null, new IIOImage(img, null, null), p);
    } finally {
      w.dispose();
    }
    return bytes.toByteArray();
  }

  private static int lastIndexOf(byte[] b, byte first, byte second) {
    for (int i = b.length - 2; i >= 0; i--) {
      if (b[i] == first && b[i + 1] == second) {
        return i;
      }
    }
    throw new AssertionError("marker not found");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.writeBytes(a);
    o.writeBytes(b);
    return o.toByteArray();
  }
}
