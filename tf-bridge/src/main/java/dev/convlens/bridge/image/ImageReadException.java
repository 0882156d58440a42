package dev.convlens.bridge.image;

import dev.convlens.bridge.ConvlensException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** An image file that cannot be read: missing, empty, truncated, not an image, or a pixel format convlens does not decode. */
public class ImageReadException extends ConvlensException {
  private final @Nullable Path source;

  public ImageReadException(@Nullable Path source, String message) {
    super(source == null ? message : source + ": " + message);
    this.source = source;
  }

  public ImageReadException(@Nullable Path source, String message, @Nullable Throwable cause) {
    super(source == null ? message : source + ": " + message, cause);
    this.source = source;
  }

  /** The file being read, or null for an in-memory image. */
  public @Nullable Path source() {
    return source;
  }
}
