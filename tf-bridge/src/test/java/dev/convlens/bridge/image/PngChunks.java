package dev.convlens.bridge.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Hand-assembled PNG files for hostile inputs javax.imageio would never write. */
final class PngChunks {
  static final byte[] SIGNATURE = {(byte) 137, 'P', 'N', 'G', 13, 10, 26, 10};

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  PngChunks() {
    out.writeBytes(SIGNATURE);
  }

  /** IHDR for an 8-bit image of the given colour type (0 grey, 2 RGB, 3 palette), no interlace. */
  PngChunks ihdr(int width, int height, int colorType) {
    return chunk("IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) colorType)
        .put((byte) 0).put((byte) 0).put((byte) 0).array());
  }

  PngChunks chunk(String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return this;
  }

  PngChunks iend() {
    return chunk("IEND", new byte[0]);
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /**
   * A zlib stream of {@code count} zero bytes, about count/1000 bytes long. Once the window is all
   * zeros, each sync-flushed 1 MiB segment deflates to the same bytes, so those are repeated instead
   * of deflating gigabytes (checked: it falls back to deflating everything if they differ).
   */
  static byte[] deflatedZeros(long count) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[] zeros = new byte[1 << 20];
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    z.write(0x78);
    z.write(0xDA);
    byte[] previous = null;
    boolean periodic = false;
    long left = count;
    while (left > 0) {
      int n = (int) Math.min(zeros.length, left);
      byte[] segment;
      if (periodic && n == zeros.length) {
        segment = previous;
      } else {
        d.setInput(zeros, 0, n);
        segment = drain(d, false);
        periodic = n == zeros.length && java.util.Arrays.equals(segment, previous);
      }
      z.writeBytes(segment);
      previous = segment;
      left -= n;
    }
    d.finish();
    z.writeBytes(drain(d, true));
    d.end();
    long adler = (count % 65521) << 16 | 1; // Adler-32 of zeros: a stays 1, b adds 1 per byte
    z.writeBytes(ByteBuffer.allocate(4).putInt((int) adler).array());
    return z.toByteArray();
  }

  /** The output after a sync flush, or (once {@code finish()} was called) everything up to the end. */
  private static byte[] drain(Deflater d, boolean finished) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    if (!finished) {
      int n;
      do {
        n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
        out.write(buf, 0, n);
      } while (n == buf.length);
    } else {
      while (!d.finished()) {
        out.write(buf, 0, d.deflate(buf));
      }
    }
    return out.toByteArray();
  }

  /** The chunks of {@code png} with {@code chunk} (a complete chunk) inserted right after IHDR. */
  static byte[] insertAfterIhdr(byte[] png, byte[] chunk) {
    int at = SIGNATURE.length + 8 + 13 + 4;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(png, 0, at);
    o.writeBytes(chunk);
    o.write(png, at, png.length - at);
    return o.toByteArray();
  }

  /** One complete chunk (length, type, data, CRC). */
  static byte[] single(String type, byte[] data) {
    byte[] b = new PngChunks().chunk(type, data).bytes();
    byte[] c = new byte[b.length - SIGNATURE.length];
    System.arraycopy(b, SIGNATURE.length, c, 0, c.length);
    return c;
  }
}
