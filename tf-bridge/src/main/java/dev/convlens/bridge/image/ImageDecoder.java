package dev.convlens.bridge.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes the first frame of an image file with javax.imageio, turning every failure into an
 * {@link ImageReadException} that names the file. Truncated files fail (as Pillow does by default)
 * instead of coming back grey-padded, which javax.imageio's JPEG reader would otherwise do with a
 * mere warning.
 */
final class ImageDecoder {
  private ImageDecoder() {}

  static BufferedImage read(Path file) {
    byte[] bytes;
    try {
      // Keras reads the whole file before decoding too; it also keeps javax.imageio off its disk cache
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ImageReadException(file, "image file not found", e);
    } catch (IOException e) {
      throw new ImageReadException(file, "cannot read image file: " + e, e);
    }
    if (bytes.length == 0) {
      throw new ImageReadException(file, "empty file, not an image");
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new ImageReadException(file, "not a recognised image format (readable: "
            + String.join(", ", readableFormats()) + ")");
      }
      ImageReader reader = readers.next();
      String format = reader.getFormatName().toUpperCase(Locale.ROOT);
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      try {
        reader.setInput(in, true, false);
        BufferedImage image = reader.read(0);
        for (String w : warnings) {
          String lower = w.toLowerCase(Locale.ROOT);
          if (lower.contains("premature end") || lower.contains("truncat")) {
            throw new ImageReadException(file, "truncated " + format + " image (" + w + ")");
          }
        }
        return image;
      } catch (IIOException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("Unsupported Image Type")) {
          throw new ImageReadException(file, "unsupported " + format + " colour space (CMYK or YCCK?); "
              + "convert the image to RGB first", e);
        }
        throw new ImageReadException(file, "corrupt or truncated " + format + " image: " + describe(e), e);
      } catch (IOException | RuntimeException e) {
        if (e instanceof ImageReadException ire) {
          throw ire;
        }
        throw new ImageReadException(file, "corrupt or truncated " + format + " image: " + describe(e), e);
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new ImageReadException(file, "cannot read image file: " + e, e);
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
