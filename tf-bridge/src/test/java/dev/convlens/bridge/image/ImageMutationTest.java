package dev.convlens.bridge.image;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convlens.bridge.FloatTensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged images of every format javax.imageio reads (truncations, bit flips, zeroed blocks, header
 * fields set to extremes), from a fixed seed: each must load or fail with an {@link ImageReadException},
 * never another exception. The pixel limit is lowered so no mutation can ask for much memory.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ImageMutationTest {
  private static final int PER_FIXTURE = 24;
  private static final ImageLimits LIMITS = ImageLimits.defaults().withMaxPixels(4_000_000);

  @TempDir Path tmp;

  @Test
  void damagedImagesLoadOrFailTyped() throws IOException {
    Random random = new Random(20_261_205L);
    List<String> untyped = new ArrayList<>();
    int loaded = 0;
    int refused = 0;
    for (Map.Entry<String, byte[]> fixture : fixtures().entrySet()) {
      for (int i = 0; i < PER_FIXTURE; i++) {
        Path file = Files.write(tmp.resolve(fixture.getKey() + "-" + i), mutate(fixture.getValue(), random));
        long t0 = System.nanoTime();
        try {
          FloatTensor a = KerasImages.loadImg(file, 0, 0, ColorMode.RGB, LIMITS);
          assertTrue(a.data().length > 0);
          loaded++;
        } catch (ImageReadException e) {
          refused++;
        } catch (RuntimeException e) {
          untyped.add(file.getFileName() + ": " + e);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis < 10_000, file.getFileName() + " took " + millis + " ms");
      }
    }
    if (!untyped.isEmpty()) {
      fail(untyped.size() + " untyped exceptions:\n" + String.join("\n", untyped));
    }
    assertTrue(loaded > 0 && refused > 0, "loaded " + loaded + ", refused " + refused);
  }

  private static byte[] mutate(byte[] original, Random r) {
    byte[] m = original.clone();
    int headerEnd = Math.min(m.length, 160);
    switch (r.nextInt(6)) {
      case 0 -> {
        return Arrays.copyOf(m, r.nextInt(m.length));
      }
      case 1 -> {
        for (int i = 1 + r.nextInt(8); i > 0; i--) {
          m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 2 -> {
        int at = r.nextInt(m.length);
        Arrays.fill(m, at, Math.min(m.length, at + 1 + r.nextInt(64)), (byte) 0);
      }
      case 3 -> {
        // a header field (size, count, offset) set to an extreme
        int at = r.nextInt(headerEnd);
        byte fill = r.nextBoolean() ? (byte) 0xFF : (byte) 0x7F;
        for (int i = at; i < Math.min(m.length, at + 1 + r.nextInt(4)); i++) {
          m[i] = fill;
        }
      }
      case 4 -> m[r.nextInt(headerEnd)] = (byte) r.nextInt(256);
      default -> {
        int at = r.nextInt(m.length);
        m[at] = (byte) r.nextInt(256);
        m[r.nextInt(headerEnd)] = (byte) r.nextInt(256);
      }
    }
    return m;
  }

  private static Map<String, byte[]> fixtures() throws IOException {
    Random r = new Random(1);
    BufferedImage rgb = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    BufferedImage argb = new BufferedImage(40, 30, BufferedImage.TYPE_INT_ARGB);
    BufferedImage gray16 = new BufferedImage(40, 30, BufferedImage.TYPE_USHORT_GRAY);
    BufferedImage palette = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_INDEXED);
    BufferedImage binary = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_BINARY);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        rgb.setRGB(x, y, r.nextInt());
        argb.setRGB(x, y, r.nextInt());
        gray16.getRaster().setSample(x, y, 0, r.nextInt(65536));
        palette.getRaster().setSample(x, y, 0, r.nextInt(256));
        binary.getRaster().setSample(x, y, 0, r.nextInt(2));
      }
    }
    Map<String, byte[]> f = new LinkedHashMap<>();
    f.put("rgb.png", encode(rgb, "png", null));
    f.put("argb.png", encode(argb, "png", null));
    f.put("gray16.png", encode(gray16, "png", null));
    f.put("palette.png", encode(palette, "png", null));
    f.put("baseline.jpg", encode(rgb, "jpeg", null));
    f.put("progressive.jpg", encode(rgb, "jpeg", p -> p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT)));
    f.put("palette.gif", encode(palette, "gif", null));
    f.put("rgb.bmp", encode(rgb, "bmp", null));
    f.put("rle8.bmp", encode(palette, "bmp", compressed("BI_RLE8")));
    f.put("deflate.tif", encode(rgb, "tiff", compressed("Deflate")));
    f.put("lzw.tif", encode(rgb, "tiff", compressed("LZW")));
    f.put("jpeg.tif", encode(rgb, "tiff", compressed("JPEG")));
    f.put("binary.wbmp", encode(binary, "wbmp", null));
    return f;
  }

  private static Consumer<ImageWriteParam> compressed(String type) {
    return p -> {
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionType(type);
    };
  }

  private static byte[] encode(BufferedImage img, String format, Consumer<ImageWriteParam> settings) throws IOException {
    ImageWriter w = ImageIO.getImageWritersByFormatName(format).next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      w.setOutput(out);
      ImageWriteParam p = w.getDefaultWriteParam();
      if (settings != null) {
        settings.accept(p);
      }
      w.write(null, new IIOImage(img, null, null), p);
    } finally {
      w.dispose();
    }
    return bytes.toByteArray();
  }
}
