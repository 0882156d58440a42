package dev.convlens.bridge.image;

import dev.convlens.bridge.ConvlensException;
import java.nio.file.Path;

/** An image file that cannot be read: missing, empty, truncated, not an image, or a pixel format convlens does not decode. */
public class ImageReadException extends ConvlensException {
  private final Path source;

  public ImageReadException(Path source, String message) {
    super(source == null ? message : source + ": " + message);
    this.source = source;
  }

  public ImageReadException(Path source, String message, Throwable cause) {
    super(source == null ? message : source + ": " + message, cause);
    this.source = source;
  }

  /** The file being read, or null for an in-memory image. */
  public Path source() {
    return source;
  }
}
