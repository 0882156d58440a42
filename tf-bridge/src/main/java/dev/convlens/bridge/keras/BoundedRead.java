package dev.convlens.bridge.keras;

import dev.convlens.bridge.ModelFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text part of a model whole, never more than a limit: the size a file or zip entry
 * declares is checked first (to refuse early), then the bytes actually read are counted, since a
 * zip's declared size is only a claim and a file may grow while it is read.
 */
public final class BoundedRead {
  private BoundedRead() {}

  /**
   * The bytes of {@code file}, at most {@code max}. {@code what} names the part in messages
   * ({@code "model JSON"}) and {@code limit} the option that sets {@code max}.
   */
  public static byte[] file(Path file, long max, String what, String limit) {
    try {
      long size = Files.size(file);
      if (size > max) {
        throw tooLarge(file, what, size + " bytes", max, limit);
      }
      try (InputStream in = Files.newInputStream(file)) {
        return stream(in, file, max, what, limit);
      }
    } catch (IOException e) {
      throw new ModelFormatException(file, "cannot read " + what + ": " + e.getMessage(), e);
    }
  }

  /** All of {@code in}, refused once more than {@code max} bytes have come out of it. */
  static byte[] stream(InputStream in, Path source, long max, String what, String limit) throws IOException {
    int cap = (int) Math.min(max, Integer.MAX_VALUE - 16);
    byte[] b = in.readNBytes(cap + 1);
    if (b.length > cap) {
      throw new ModelFormatException(source, what + " holds more than the limit of " + cap + " bytes (" + limit + ")");
    }
    return b;
  }

  /** The error for a part of {@code source} over its limit: what, how large, the limit and the option that sets it. */
  public static ModelFormatException tooLarge(Path source, String what, String size, long max, String limit) {
    return new ModelFormatException(source, what + " holds " + size + ", more than the limit of " + max
        + " bytes (" + limit + ")");
  }
}
