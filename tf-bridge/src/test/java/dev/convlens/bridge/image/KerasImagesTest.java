package dev.convlens.bridge.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pillow's conversion rules on small synthetic files. Expected values come from Pillow's documented
 * behaviour: {@code convert("L")} maps pure red/green/blue to 76/150/29, RGBA to RGB drops alpha,
 * palette images take their palette colours, 16-bit PNGs keep the high byte (grey: clipped).
 */
class KerasImagesTest {
  @TempDir Path tmp;

  private static final int RED = 0xFFFF0000;
  private static final int GREEN_HALF = 0x80_00FF00;
  private static final int BLUE_CLEAR = 0x00_0000FF;
  private static final int WHITE = 0xFFFFFFFF;

  @Test
  void nearestIndexRule() {
    assertArrayEquals(new int[] {0, 1, 2, 3}, KerasImages.nearestIndices(4, 4));
    assertArrayEquals(new int[] {0, 0, 1, 1}, KerasImages.nearestIndices(2, 4)); // pos .25 .75 1.25 1.75
    assertArrayEquals(new int[] {0, 2}, KerasImages.nearestIndices(3, 2)); // pos .75 2.25
    assertArrayEquals(new int[] {1}, KerasImages.nearestIndices(3, 1));
    assertThrows(InvalidInputException.class, () -> KerasImages.nearestIndices(0, 3));
  }

  @Test
  void rgbaPngDropsAlphaAndUsesPillowLuma() throws IOException {
    BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_INT_ARGB);
    img.setRGB(0, 0, 4, 1, new int[] {RED, GREEN_HALF, BLUE_CLEAR, WHITE}, 0, 4);
    Path png = write(img, "png", "rgba.png");

    FloatTensor rgb = KerasImages.loadImg(png);
    assertArrayEquals(new long[] {1, 4, 3}, rgb.shape());
    assertArrayEquals(new float[] {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255}, rgb.data());
    assertArrayEquals(new float[] {76, 150, 29, 255}, KerasImages.loadImg(png, ColorMode.GRAYSCALE).data());
    FloatTensor rgba = KerasImages.loadImg(png, ColorMode.RGBA);
    assertArrayEquals(new long[] {1, 4, 4}, rgba.shape());
    assertArrayEquals(new float[] {255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 255, 255, 255, 255}, rgba.data());
  }

  @Test
  void paletteImagesInPngGifAndBmp() throws IOException {
    // 256 entries: the JDK's BMP writer packs smaller palettes into 4-bit pixels incorrectly
    byte[] r = Arrays.copyOf(new byte[] {(byte) 255, 0, 0, (byte) 200}, 256);
    byte[] g = Arrays.copyOf(new byte[] {0, (byte) 255, 0, 100}, 256);
    byte[] b = Arrays.copyOf(new byte[] {0, 0, (byte) 255, 50}, 256);
    byte[] a = new byte[256];
    Arrays.fill(a, (byte) 255);
    a[3] = 0;
    // luma of (200,100,50): (200*19595 + 100*38470 + 50*7471 + 32768) >> 16 = 8172318 >> 16 = 124
    float[] luma = {76, 150, 29, 124};
    for (String format : new String[] {"png", "gif", "bmp"}) {
      boolean alpha = !format.equals("bmp");
      IndexColorModel cm = alpha ? new IndexColorModel(8, 256, r, g, b, a) : new IndexColorModel(8, 256, r, g, b);
      // 8 rows: the JDK's GIF reader mis-decodes interlaced GIFs only 2 to 4 rows high
      BufferedImage img = new BufferedImage(4, 8, BufferedImage.TYPE_BYTE_INDEXED, cm);
      for (int y = 0; y < 8; y++) {
        img.getRaster().setSamples(0, y, 4, 1, 0, new int[] {0, 1, 2, 3});
      }
      Path file = write(img, format, "palette." + format);

      FloatTensor rgb = KerasImages.loadImg(file);
      FloatTensor gray = KerasImages.loadImg(file, ColorMode.GRAYSCALE);
      FloatTensor rgba = KerasImages.loadImg(file, ColorMode.RGBA);
      for (int y = 0; y < 8; y++) {
        assertArrayEquals(new float[] {255, 0, 0, 0, 255, 0, 0, 0, 255, 200, 100, 50}, rgb.slice(y).data(), format);
        assertArrayEquals(luma, gray.slice(y).data(), format);
        float[] row = rgba.slice(y).data();
        assertEquals(alpha ? 0f : 255f, row[15], format + " alpha of the transparent entry");
        assertEquals(255f, row[3], format);
      }
    }
  }

  @Test
  void sixteenBitPngs() throws IOException {
    BufferedImage gray = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
    gray.getRaster().setSamples(0, 0, 4, 1, 0, new int[] {0, 200, 300, 65535});
    Path grayPng = write(gray, "png", "gray16.png");
    // Pillow opens 16-bit grey as mode "I": RGB clips, Keras keeps "I" unconverted for grayscale
    assertArrayEquals(new float[] {0, 0, 0, 200, 200, 200, 255, 255, 255, 255, 255, 255}, KerasImages.loadImg(grayPng).data());
    assertArrayEquals(new float[] {0, 200, 300, 65535}, KerasImages.loadImg(grayPng, ColorMode.GRAYSCALE).data());

    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
        Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(1, 1);
    raster.setPixel(0, 0, new int[] {0x1234, 0xABCD, 0xFFFF});
    Path rgbPng = write(new BufferedImage(cm, raster, false, null), "png", "rgb16.png");
    assertArrayEquals(new float[] {0x12, 0xAB, 0xFF}, KerasImages.loadImg(rgbPng).data());
  }

  @Test
  void grayscaleJpegIsReplicatedWithoutGammaConversion() throws IOException {
    BufferedImage gray = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        gray.getRaster().setSample(x, y, 0, 16 * x);
      }
    }
    Path jpg = write(gray, "jpg", "gray.jpg");
    float[] l = KerasImages.loadImg(jpg, ColorMode.GRAYSCALE).data();
    float[] rgb = KerasImages.loadImg(jpg).data();
    for (int i = 0; i < l.length; i++) {
      assertEquals(l[i], rgb[3 * i], "R");
      assertEquals(l[i], rgb[3 * i + 1], "G");
      assertEquals(l[i], rgb[3 * i + 2], "B");
    }
    // a linear-grey-to-sRGB conversion (getRGB) would lift mid-greys by ~50 levels
    assertEquals(128, l[8 + 16 * 8], 3);
  }

  @Test
  void inMemoryImagesAreResizedWithNearest() {
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 3; x++) {
        img.setRGB(x, y, (10 * x + 100 * y) << 16); // red channel encodes the position
      }
    }
    FloatTensor out = KerasImages.fromBufferedImage(img, 4, 2, ColorMode.RGB);
    assertArrayEquals(new long[] {4, 2, 3}, out.shape());
    int[] rows = KerasImages.nearestIndices(2, 4);
    int[] cols = KerasImages.nearestIndices(3, 2);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 2; x++) {
        assertEquals(10 * cols[x] + 100 * rows[y], out.data()[(y * 2 + x) * 3], "pixel " + y + "," + x);
      }
    }
    assertArrayEquals(new long[] {2, 3, 1}, KerasImages.fromBufferedImage(img, ColorMode.GRAYSCALE).shape());

    BufferedImage pre = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB_PRE);
    pre.setRGB(0, 0, 0xFF_336699);
    assertArrayEquals(new float[] {0x33, 0x66, 0x99, 255}, KerasImages.fromBufferedImage(pre, ColorMode.RGBA).data());
    assertThrows(InvalidInputException.class, () -> KerasImages.fromBufferedImage(img, 0, 5, ColorMode.RGB));
  }

  @Test
  void unreadableFilesFailNamingTheFile() throws IOException {
    assertReadError(tmp.resolve("missing.png"), "not found");
    assertReadError(Files.write(tmp.resolve("empty.jpg"), new byte[0]), "empty");
    assertReadError(Files.writeString(tmp.resolve("notes.png"), "just some text, no pixels"), "not a recognised image");

    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < 64 * 64; i++) {
      img.setRGB(i % 64, i / 64, i * 2654435761L > 0 ? (int) (i * 2654435761L) : i); // noise, so the data is large
    }
    for (String format : new String[] {"png", "jpg"}) {
      byte[] full = Files.readAllBytes(write(img, format, "full." + format));
      Path cut = Files.write(tmp.resolve("cut." + format), Arrays.copyOf(full, full.length / 2));
      assertReadError(cut, "truncated");
    }
  }

  @Test
  void cmykJpegIsReportedClearly() throws IOException {
    // a 4-channel raster written without colour conversion is an Adobe CMYK/YCCK JPEG
    Raster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 8, 8, 4, null);
    Path jpg = tmp.resolve("cmyk.jpg");
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(jpg.toFile())) {
      w.setOutput(out);
      w.write(null, new IIOImage(cmyk, null, null), null);
    } finally {
      w.dispose();
    }
    assertReadError(jpg, "CMYK");
  }

  private static void assertReadError(Path file, String fragment) {
    ImageReadException e = assertThrows(ImageReadException.class, () -> KerasImages.loadImg(file, 8, 8));
    assertEquals(file, e.source());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
  }

  private Path write(BufferedImage img, String format, String name) throws IOException {
    Path f = tmp.resolve(name);
    assertTrue(ImageIO.write(img, format, f.toFile()), "no " + format + " writer for " + img);
    return f;
  }
}
