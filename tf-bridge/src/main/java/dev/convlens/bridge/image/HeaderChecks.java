package dev.convlens.bridge.image;

import java.nio.file.Path;

/**
 * Structural checks made on the raw bytes before javax.imageio sees them, for files its readers
 * would report with a bare IndexOutOfBoundsException or handle with an unbounded allocation.
 */
final class HeaderChecks {
  private static final byte[] PNG_SIGNATURE = {(byte) 137, 'P', 'N', 'G', 13, 10, 26, 10};
  private static final int IDAT = chunkType("IDAT");
  private static final int IEND = chunkType("IEND");
  private static final int BI_JPEG = 4;
  private static final int BI_PNG = 5;

  private HeaderChecks() {}

  static void check(byte[] bytes, String format, Path source) {
    switch (format) {
      case "PNG" -> checkPng(bytes, source);
      case "BMP" -> checkBmp(bytes, source);
      default -> { }
    }
  }

  /** A PNG must reach an IDAT chunk; the JDK reader otherwise fails with an unrelated IndexOutOfBounds. */
  private static void checkPng(byte[] b, Path source) {
    if (!startsWith(b, PNG_SIGNATURE)) {
      return; // not for us to judge: the reader will say
    }
    long at = PNG_SIGNATURE.length;
    while (at + 8 <= b.length) {
      long length = u32be(b, (int) at);
      int type = (int) u32be(b, (int) at + 4);
      if (type == IDAT) {
        return;
      }
      if (type == IEND) {
        throw new ImageReadException(source, "PNG image has no image data: no IDAT chunk before IEND");
      }
      if (length > Integer.MAX_VALUE) {
        throw new ImageReadException(source, "corrupt PNG image: chunk '" + name(type) + "' at byte " + at
            + " declares " + length + " bytes (at most 2^31-1 allowed)");
      }
      at += 12 + length; // length, type, data, CRC
    }
    throw new ImageReadException(source, "truncated PNG image: the file (" + b.length
        + " bytes) ends before any image data (IDAT chunk)");
  }

  /**
   * BMPs whose pixels are an embedded JPEG or PNG: the JDK reader allocates the declared size up front
   * and hands the data to a second decoder that no pixel limit covers. Pillow (and so Keras) refuses
   * them too.
   */
  private static void checkBmp(byte[] b, Path source) {
    if (b.length < 34 || b[0] != 'B' || b[1] != 'M') {
      return;
    }
    long headerSize = u32le(b, 14);
    if (headerSize < 40) {
      return; // OS/2 1.x core header: no compression field
    }
    long compression = u32le(b, 30);
    if (compression == BI_JPEG || compression == BI_PNG) {
      throw new ImageReadException(source, "unsupported BMP compression " + compression + " (embedded "
          + (compression == BI_JPEG ? "JPEG" : "PNG") + "); save the image as a plain JPEG or PNG instead");
    }
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static long u32be(byte[] b, int at) {
    return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | (b[at + 3] & 0xFFL);
  }

  private static long u32le(byte[] b, int at) {
    return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
  }

  private static int chunkType(String name) {
    return name.charAt(0) << 24 | name.charAt(1) << 16 | name.charAt(2) << 8 | name.charAt(3);
  }

  private static String name(int type) {
    StringBuilder s = new StringBuilder(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      char c = (char) (type >>> shift & 0xFF);
      s.append(c >= 32 && c < 127 ? c : '?');
    }
    return s.toString();
  }
}
