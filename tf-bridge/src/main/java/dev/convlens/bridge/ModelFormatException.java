package dev.convlens.bridge;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** A model file or directory that is corrupt, truncated, empty, of an unknown format, or inconsistent with its config. */
public class ModelFormatException extends ConvlensException {
  private final @Nullable Path source;
  private final String detail;

  public ModelFormatException(@Nullable Path source, String message) {
    super(source == null ? message : source + ": " + message);
    this.source = source;
    this.detail = message;
  }

  public ModelFormatException(@Nullable Path source, String message, @Nullable Throwable cause) {
    super(source == null ? message : source + ": " + message, cause);
    this.source = source;
    this.detail = message;
  }

  /** The message without the file name in front. */
  public String detail() {
    return detail;
  }

  /** The file or directory being read, or null when the model did not come from a file. */
  public @Nullable Path source() {
    return source;
  }
}
