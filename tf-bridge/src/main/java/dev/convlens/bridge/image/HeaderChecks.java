package dev.convlens.bridge.image;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Structural checks made on the raw bytes before javax.imageio sees them, for files its readers
 * would report with a bare IndexOutOfBoundsException, handle with an unbounded allocation or spend
 * minutes on.
 */
final class HeaderChecks {
  private static final byte[] PNG_SIGNATURE = {(byte) 137, 'P', 'N', 'G', 13, 10, 26, 10};
  private static final int IDAT = chunkType("IDAT");
  private static final int IEND = chunkType("IEND");
  private static final int BI_JPEG = 4;
  private static final int BI_PNG = 5;

  private HeaderChecks() {}

  static void check(byte[] bytes, String format, @Nullable Path source, ImageLimits limits) {
    switch (format) {
      case "PNG" -> checkPng(bytes, source);
      case "BMP" -> checkBmp(bytes, source);
      case "JPEG" -> checkJpegScans(bytes, source, limits.maxJpegScans());
      default -> { }
    }
  }

  /** A PNG must reach an IDAT chunk; the JDK reader otherwise fails with an unrelated IndexOutOfBounds. */
  private static void checkPng(byte[] b, @Nullable Path source) {
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
  private static void checkBmp(byte[] b, @Nullable Path source) {
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

  /**
   * Counts the scans (SOS markers) up to the first EOI, walking marker segments by their lengths and
   * entropy-coded data up to the next marker: javax.imageio renders a progressive image after every
   * scan, so a file repeating a tiny scan thousands of times would keep it busy for minutes.
   */
  private static void checkJpegScans(byte[] b, @Nullable Path source, int maxScans) {
    int scans = 0;
    int at = 2; // after SOI
    while (at < b.length) {
      while (at < b.length && b[at] != (byte) 0xFF) {
        at++; // stray bytes between segments: libjpeg skips them with a warning
      }
      while (at < b.length && b[at] == (byte) 0xFF) {
        at++; // fill bytes
      }
      if (at >= b.length) {
        return;
      }
      int marker = b[at++] & 0xFF;
      if (marker == 0xD9) {
        return; // EOI: the first image ends; later ones are never read
      }
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        continue; // markers without a length
      }
      if (at + 2 > b.length) {
        return;
      }
      at += (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
      if (marker == 0xDA) {
        if (++scans > maxScans) {
          throw new ImageReadException(source, "JPEG image has more than " + maxScans
              + " scans (ImageLimits.maxJpegScans); javax.imageio renders the whole image after each one, and"
              + " encoders write about 10");
        }
        at = skipEntropyCoded(b, at);
      }
    }
  }

  /** The position of the next marker after entropy-coded data (0xFF 0x00 is a stuffed byte, 0xFF 0xDn a restart). */
  private static int skipEntropyCoded(byte[] b, int at) {
    while (at + 1 < b.length) {
      if (b[at] == (byte) 0xFF) {
        int next = b[at + 1] & 0xFF;
        if (next != 0x00 && (next < 0xD0 || next > 0xD7)) {
          return at;
        }
        at += 2;
      } else {
        at++;
      }
    }
    return b.length;
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
