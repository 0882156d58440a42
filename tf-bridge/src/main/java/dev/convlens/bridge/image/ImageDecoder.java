package dev.convlens.bridge.image;

import dev.convlens.bridge.io.InputPaths;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.SampleModel;
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
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Decodes the first frame of an image with javax.imageio, turning every failure into an
 * {@link ImageReadException} that names the file. Truncated files fail (as Pillow does by default)
 * instead of coming back grey-padded, which javax.imageio's JPEG reader would otherwise do with a
 * mere warning.
 *
 * <p>Hostile files are bounded by {@link ImageLimits}: only regular files are opened (a pipe or
 * {@code /dev/zero} would block or never end), at most {@code maxBytes} are read, the pixel count
 * (and a TIFF's tile size) is taken from the header and checked before any pixel is decoded, as
 * are a JPEG's scan count and whether the decode can fit in the maximum heap, and metadata (text
 * chunks that inflate to gigabytes) is skipped. The decoding core works on bytes in memory,
 * whatever they came from.
 */
final class ImageDecoder {
  private ImageDecoder() {}

  /**
   * Reads and decodes {@code file}. {@code outputBytesPerPixel} is what the caller will allocate per
   * decoded pixel afterwards, so that an image whose decoding cannot fit in this JVM's maximum heap
   * is refused from its header rather than failing with an OutOfMemoryError.
   */
  static BufferedImage read(Path file, ImageLimits limits, int outputBytesPerPixel) {
    return decode(readFile(file, limits), file, limits, outputBytesPerPixel);
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
  static BufferedImage decode(byte[] bytes, @Nullable Path source, ImageLimits limits, int outputBytesPerPixel) {
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
        HeaderChecks.check(bytes, format, source, limits);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
        // metadata ignored: a PNG text chunk may inflate to gigabytes and nothing here needs it
        reader.setInput(in, true, true);
        checkPixels(reader, format, source, limits);
        checkHeap(reader, format, source, outputBytesPerPixel);
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
  private static void checkPixels(ImageReader reader, String format, @Nullable Path source, ImageLimits limits)
      throws IOException {
    int width = reader.getWidth(0);
    int height = reader.getHeight(0);
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
    // a TIFF tile may extend past the image, and the reader allocates a whole one at a time
    if (reader.isImageTiled(0)) {
      int tw = reader.getTileWidth(0);
      int th = reader.getTileHeight(0);
      if (tw < 1 || th < 1 || (long) tw * th > limits.maxPixels()) {
        throw new ImageReadException(source, format + " image of " + width + "x" + height + " declares tiles of "
            + tw + "x" + th + " pixels; expected positive sizes of at most " + limits.maxPixels()
            + " pixels (ImageLimits.maxPixels)");
      }
    }
  }

  /**
   * Refuses an image that cannot fit: the decoded raster plus what the caller allocates per pixel,
   * against {@code Runtime.maxMemory()} (-Xmx). Only certain failures are refused here; the pixel
   * limit is what bounds memory in general.
   */
  private static void checkHeap(ImageReader reader, String format, @Nullable Path source, int outputBytesPerPixel)
      throws IOException {
    long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
    long perPixel = decodedBytesPerPixel(reader) + outputBytesPerPixel;
    long needed = pixels * perPixel;
    long max = Runtime.getRuntime().maxMemory();
    if (needed > max) {
      throw new ImageReadException(source, format + " image of " + reader.getWidth(0) + "x" + reader.getHeight(0)
          + " pixels needs about " + (needed >> 20) + " MiB to decode (" + perPixel + " bytes per pixel), more"
          + " than this JVM's maximum heap of " + (max >> 20) + " MiB");
    }
  }

  /** Bytes per pixel of the raster the reader will decode into (4 when it does not say). */
  private static long decodedBytesPerPixel(ImageReader reader) {
    try {
      ImageTypeSpecifier type = reader.getRawImageType(0);
      if (type != null) {
        SampleModel sm = type.getSampleModel();
        return Math.max(1, ((long) sm.getNumDataElements() * DataBuffer.getDataTypeSize(sm.getDataType()) + 7) / 8);
      }
    } catch (IOException | RuntimeException e) {
      // the read that follows reports a broken header properly
    }
    return 4;
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
