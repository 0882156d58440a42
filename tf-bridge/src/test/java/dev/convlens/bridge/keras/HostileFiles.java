package dev.convlens.bridge.keras;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convlens.bridge.ModelFormatException;
import io.jhdf.checksum.ChecksumUtils;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assertions;

/**
 * Builders of hostile model files from small generated fixtures: zips with chosen entries,
 * compression and lying sizes, HDF5 files with patched dataset headers (their object header
 * checksum recomputed, so jhdf accepts them) and patched values.
 */
final class HostileFiles {
  private HostileFiles() {}

  /** The entries of a zip, in order. */
  static Map<String, byte[]> entries(Path zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : Collections.list(z.entries())) {
        out.put(e.getName(), z.getInputStream(e).readAllBytes());
      }
    }
    return out;
  }

  /** Writes {@code entries} as a zip, each stored (uncompressed, as Keras writes) or deflated. */
  static Path zip(Path file, Map<String, byte[]> entries, boolean stored) throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        out.putNextEntry(entry(e.getKey(), e.getValue(), stored));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return file;
  }

  private static ZipEntry entry(String name, byte[] content, boolean stored) {
    ZipEntry z = new ZipEntry(name);
    if (stored) {
      CRC32 crc = new CRC32();
      crc.update(content);
      z.setMethod(ZipEntry.STORED);
      z.setSize(content.length);
      z.setCompressedSize(content.length);
      z.setCrc(crc.getValue());
    }
    return z;
  }

  /**
   * A zip whose entry {@code name} is deflated from {@code prefix} followed by {@code fill}
   * repeated up to {@code total} bytes: a few hundred KB on disk for tens of MB inflated.
   */
  static Path bomb(Path file, Map<String, byte[]> entries, String name, byte[] prefix, byte fill, long total)
      throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        if (e.getKey().equals(name)) {
          out.write(prefix);
          byte[] block = new byte[1 << 20];
          Arrays.fill(block, fill);
          for (long left = total - prefix.length; left > 0; left -= block.length) {
            out.write(block, 0, (int) Math.min(block.length, left));
          }
        } else {
          out.write(e.getValue());
        }
        out.closeEntry();
      }
    }
    return file;
  }

  /**
   * Rewrites the uncompressed size the central directory declares for {@code name}: the zip then
   * claims a small entry that inflates to far more.
   */
  static void lieAboutSize(Path zip, String name, int declared) throws IOException {
    byte[] b = Files.readAllBytes(zip);
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 46 + n.length <= b.length; i++) {
      if (le.getInt(i) == 0x02014b50 && (le.getShort(i + 28) & 0xffff) == n.length
          && Arrays.equals(b, i + 46, i + 46 + n.length, n, 0, n.length)) {
        le.putInt(i + 24, declared);
        Files.write(zip, b);
        return;
      }
    }
    fail("no central directory record for " + name);
  }

  /** Little-endian uint64 dimensions as HDF5's version 2 dataspace message writes them. */
  static byte[] dataspace(long... dims) {
    ByteBuffer b = ByteBuffer.allocate(4 + 8 * dims.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 2).put((byte) dims.length).put((byte) 0).put((byte) 1);
    for (long d : dims) {
      b.putLong(d);
    }
    return b.array();
  }

  /** Little-endian float32 values, as jhdf writes a dataset's data. */
  static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  /**
   * {@code file} with the one occurrence of {@code from} replaced by {@code to} (same length).
   * When the bytes lie in an object header, its checksum is recomputed.
   */
  static byte[] patch(byte[] file, byte[] from, byte[] to) {
    Assertions.assertEquals(from.length, to.length);
    int at = indexOf(file, from, 0);
    assertTrue(at >= 0 && indexOf(file, from, at + 1) < 0, "the patched bytes occur exactly once");
    byte[] out = file.clone();
    int header = lastIndexOf(out, "OHDR".getBytes(StandardCharsets.US_ASCII), at);
    int checksumAt = header < 0 ? -1 : checksumPosition(out, header, at + from.length);
    System.arraycopy(to, 0, out, at, to.length);
    if (checksumAt >= 0) {
      int sum = ChecksumUtils.checksum(Arrays.copyOfRange(out, header, checksumAt));
      ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(checksumAt, sum);
    }
    return out;
  }

  /** Where the checksum of the object header at {@code header} lies: the first position past {@code from} that matches. */
  private static int checksumPosition(byte[] b, int header, int from) {
    ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    for (int p = from; p + 4 <= b.length && p < from + 4096; p++) {
      if (ChecksumUtils.checksum(Arrays.copyOfRange(b, header, p)) == le.getInt(p)) {
        return p;
      }
    }
    return -1;
  }

  static int indexOf(byte[] b, byte[] what, int from) {
    for (int i = from; i + what.length <= b.length; i++) {
      if (Arrays.equals(b, i, i + what.length, what, 0, what.length)) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOf(byte[] b, byte[] what, int before) {
    for (int i = Math.min(before, b.length - what.length); i >= 0; i--) {
      if (Arrays.equals(b, i, i + what.length, what, 0, what.length)) {
        return i;
      }
    }
    return -1;
  }

  /** Writes the content {@code out} receives. */
  static Path write(Path file, byte[] content) throws IOException {
    try (OutputStream o = Files.newOutputStream(file)) {
      o.write(content);
    }
    return file;
  }

  /**
   * {@code call} must fail within {@code seconds} with a {@link ModelFormatException} naming
   * {@code file} and every fragment.
   */
  static ModelFormatException assertRefused(Path file, int seconds, Loading call, String... fragments) {
    ModelFormatException e = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(seconds), () -> {
      try {
        call.run();
      } catch (ModelFormatException m) {
        return m;
      } catch (Throwable t) {
        throw new AssertionError("expected a ModelFormatException naming " + file + ", got " + t, t);
      }
      return fail("should have been refused: " + file);
    });
    assertTrue(e.getMessage().contains(file.toString()), "names " + file + ": " + e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "mentions '" + f + "': " + e.getMessage());
    }
    return e;
  }

  @FunctionalInterface
  interface Loading {
    void run() throws Exception;
  }
}
