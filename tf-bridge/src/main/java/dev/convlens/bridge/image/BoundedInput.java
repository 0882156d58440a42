package dev.convlens.bridge.image;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** Reads a whole input into memory without ever holding more than a cap, whatever the input claims. */
final class BoundedInput {
  /** The largest byte array the JVM reliably allocates. */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private BoundedInput() {}

  /**
   * All bytes of {@code in}, or null as soon as there are more than {@code cap}. The first buffer has
   * {@code expected} bytes (a file's size), so a file that does not change is read without a copy;
   * one that grows meanwhile is still cut off at the cap.
   */
  static byte @Nullable [] readAtMost(InputStream in, long expected, int cap) throws IOException {
    byte[] buf = new byte[(int) Math.max(0, Math.min(expected, cap))];
    int n = 0;
    while (true) {
      if (n == buf.length) {
        int next = in.read();
        if (next < 0) {
          return buf;
        }
        if (n >= cap) {
          return null;
        }
        buf = Arrays.copyOf(buf, (int) Math.min(Math.max(2L * n, 1 << 16), cap));
        buf[n++] = (byte) next;
        continue;
      }
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        return Arrays.copyOf(buf, n);
      }
      n += r;
    }
  }
}
