package dev.convlens.bridge.image;

import dev.convlens.bridge.io.InputPaths;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes the first frame of an image with javax.imageio, turning every failure into an
 * {@link ImageReadException} that names the file. Truncated files fail (as Pillow does by default)
 * instead of coming back grey-padded, which javax.imageio's JPEG reader would otherwise do with a
 * mere warning.
 *
 * <p>Hostile files are bounded by {@link ImageLimits}: only regular files are opened (a pipe or
 * {@code /dev/zero} would block or never end), at most {@code maxBytes} are read, the pixel count
 * is taken from the header and checked before any pixel is decoded, and metadata (text chunks
 * that inflate to gigabytes) is skipped. The decoding core works on bytes in memory, whatever
 * they came from.
 */
final class ImageDecoder {
  private ImageDecoder() {}

  static BufferedImage read(Path file, ImageLimits limits) {
    return decode(readFile(file, limits), file, limits);
  }

  /** The file's bytes, refused before opening unless it is a regular file, and never more than the byte limit. */
  static byte[] readFile(Path file, ImageLimits limits) {
    String problem = InputPaths.problem(file, false);
    if (problem != null) {
      throw new ImageReadException(file, problem.startsWith("no such file") ? "image file not found" : problem);
    }
    int cap = (int) Math.min(limits.maxBytes(), BoundedInput.MAX_ARRAY);
    try {
      long size = Files.size(file);
      if (size > cap) {
        throw new ImageReadException(file, "image file of " + size + " bytes is larger than the limit of " + cap
            + " bytes (ImageLimits.maxBytes)");
      }
      // Keras reads the whole file before decoding too; it also keeps javax.imageio off its disk cache
      try (InputStream in = Files.newInputStream(file)) {
        byte[] bytes = BoundedInput.readAtMost(in, size, cap);
        if (bytes == null) {
          throw new ImageReadException(file, "image file grew beyond the limit of " + cap
              + " bytes (ImageLimits.maxBytes) while being read");
        }
        return bytes;
      }
    } catch (IOException e) {
      throw new ImageReadException(file, "cannot read image file: " + e, e);
    }
  }

  /** Decodes an image held in memory; {@code source} only names it in errors (may be null). */
  static BufferedImage decode(byte[] bytes, Path source, ImageLimits limits) {
    if (bytes.length == 0) {
      throw new ImageReadException(source, "empty file, not an image");
    }
    try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new ImageReadException(source, "not a recognised image format (readable: "
            + String.join(", ", readableFormats()) + ")");
      }
      ImageReader reader = readers.next();
      String format = reader.getFormatName().toUpperCase(Locale.ROOT);
      try {
        HeaderChecks.check(bytes, format, source);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
        // metadata ignored: a PNG text chunk may inflate to gigabytes and nothing here needs it
        reader.setInput(in, true, true);
        checkPixels(reader.getWidth(0), reader.getHeight(0), format, source, limits);
        BufferedImage image = reader.read(0);
        for (String w : warnings) {
          String lower = w.toLowerCase(Locale.ROOT);
          if (lower.contains("premature end") || lower.contains("truncat")) {
            throw new ImageReadException(source, "truncated " + format + " image (" + w + ")");
          }
        }
        return image;
      } catch (IIOException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("Unsupported Image Type")) {
          throw new ImageReadException(source, "unsupported " + format + " colour space (CMYK or YCCK?); "
              + "convert the image to RGB first", e);
        }
        throw new ImageReadException(source, "corrupt or truncated " + format + " image: " + describe(e), e);
      } catch (IOException | RuntimeException e) {
        if (e instanceof ImageReadException ire) {
          throw ire;
        }
        throw new ImageReadException(source, "corrupt or truncated " + format + " image: " + describe(e), e);
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new ImageReadException(source, "cannot read image: " + e, e);
    }
  }

  /** Refuses a decompression bomb from its header, before a pixel buffer is allocated. */
  private static void checkPixels(int width, int height, String format, Path source, ImageLimits limits) {
    if (width < 1 || height < 1) {
      throw new ImageReadException(source, format + " image declares a size of " + width + "x" + height
          + " pixels; expected positive dimensions");
    }
    long pixels = (long) width * height;
    if (pixels > limits.maxPixels()) {
      throw new ImageReadException(source, format + " image declares " + width + "x" + height + " = " + pixels
          + " pixels, more than the limit of " + limits.maxPixels() + " (ImageLimits.maxPixels; a decompression"
          + " bomb?)");
    }
  }

  private static TreeSet<String> readableFormats() {
    TreeSet<String> names = new TreeSet<>();
    for (String n : ImageIO.getReaderFormatNames()) {
      names.add(n.toLowerCase(Locale.ROOT));
    }
    return names;
  }

  private static String describe(Throwable e) {
    StringBuilder s = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
      s.append(" <- ").append(c);
    }
    return s.toString();
  }
}
