package dev.convlens.bridge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convlens.bridge.ModelFormatException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile {@code .npy} files, each built here: shapes far larger than the file, headers that lie
 * about their length, dtype and fortran_order surprises, pipes and devices. Each must end in a
 * {@link ModelFormatException} naming the file, at once and without allocating what the header claims.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NpyLimitsTest {
  @TempDir Path tmp;

  @Test
  void declaredShapeIsCheckedAgainstTheFileBeforeAllocating() throws IOException {
    // 10^6 floats promised, 16 bytes present: refused before a 4 MB array exists
    Path big = npy("big.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 1000), }", 16);
    assertRefused(big, "truncated .npy file: header promises 1000000 values of '<f4' (4000000 bytes) but only 16 bytes");
    Path huge = npy("huge.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100), }", 16);
    assertRefused(huge, "has 1000000000000 values, more than a Java array can hold");
    Path overflow = npy("overflow.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }", 16);
    assertRefused(overflow, "more than 2^63 values");
    Path tooLong = npy("toolong.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 16);
    assertRefused(tooLong, "dimension 99999999999999999999 in 'shape' is too large");
    // a zero dimension makes an empty array whatever the others say
    Path empty = npy("empty.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 1099511627776, 1099511627776), }", 0);
    assertArrayEquals(new long[] {0, 1099511627776L, 1099511627776L}, Npy.read(empty).shape());
  }

  @Test
  void headerLengthIsCappedAndMustHoldTheDict() throws IOException {
    // version 2.0 declaring a 4 GB header in a 100-byte file
    ByteBuffer b = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(0xFFFFFFF0);
    Path huge = Files.write(tmp.resolve("hugeheader.npy"), b.array());
    assertRefused(huge, "declares 4294967280 header bytes, more than numpy.load's limit of 10000");

    // the declared length cuts the dict short; the rest would be read as data
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    Path cut = npy("cut.npy", 1, dict, 64, 30);
    assertRefused(cut, "the header ends (after its declared 30 bytes) before the dict does");

    Path trailing = npy("trailing.npy", 1, dict + " junk", 8);
    assertRefused(trailing, "unexpected text after the dict");
  }

  @Test
  void dictSurprisesAreNamed() throws IOException {
    String[][] cases = {
        {"{'descr': '<f4', 'fortran_order': False, }", "key 'shape' is missing"},
        {"{'fortran_order': False, 'shape': (2,), }", "key 'descr' is missing"},
        {"{'descr': '<f4', 'descr': '>i8', 'fortran_order': False, 'shape': (2,), }", "key 'descr' appears twice"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", "unexpected key 'extra'"},
        {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "'fortran_order' should be True or False"},
        {"{'descr': 5, 'fortran_order': False, 'shape': (2,), }", "expected a dtype string such as '<f4'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", "'shape' should hold non-negative integers"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", "expected a tuple such as (2, 3) for 'shape'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, ".repeat(65) + "), }", "more than 64 dimensions"},
        {"{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", "unsupported .npy dtype '<f2'"},
        {"{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }", "unsupported .npy dtype '=f4'"},
        {"{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", "unsupported .npy dtype '|O'"},
        {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured dtype"},
        {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", "stored in Fortran order"},
        {"\u0000\u0001garbage", "expected a dict starting with '{'"},
    };
    for (int i = 0; i < cases.length; i++) {
      assertRefused(npy("case" + i + ".npy", 1, cases[i][0], 64), cases[i][1]);
    }
    // Fortran order with one dimension above 1 is the same layout as C order, and numpy's
    // double-quoted strings and Python 2 longs are accepted
    Path f = npy("fortran1d.npy", 1, "{\"descr\": \"<f4\", \"fortran_order\": True, \"shape\": (1L, 2L), }", 8);
    assertArrayEquals(new long[] {1, 2}, Npy.read(f).shape());
  }

  @Test
  void devicesPipesAndDirectoriesAreRefusedWithoutOpeningThem() throws Exception {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero), "no /dev/zero here");
    assertRefused(zero, "not a regular file");
    assertRefused(tmp, "a directory, expected a file");
    assertRefused(tmp.resolve("missing.npy"), "no such file or directory");
    Path fifo = tmp.resolve("pipe.npy");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo is not available here");
    assertRefused(fifo, "not a regular file"); // opening it would block until someone writes
  }

  // ---------------------------------------------------------------- helpers

  /** Checks the read fails at once, names the file and allocates under 1 MiB whatever the header claims. */
  private static void assertRefused(Path file, String fragment) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long bytes0 = threads.getCurrentThreadAllocatedBytes();
    long t0 = System.nanoTime();
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Npy.read(file), file.toString());
    long millis = (System.nanoTime() - t0) / 1_000_000;
    long allocated = threads.getCurrentThreadAllocatedBytes() - bytes0;
    assertEquals(file, e.source());
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    assertTrue(millis < 1000, file + " took " + millis + " ms");
    assertTrue(allocated < 1 << 20, file + " allocated " + allocated + " bytes");
  }

  private Path npy(String name, int version, String dict, int dataBytes) throws IOException {
    return npy(name, version, dict, dataBytes, -1);
  }

  /** An .npy file with {@code dict} padded as numpy does; {@code declared} overrides the header length field. */
  private Path npy(String name, int version, String dict, int dataBytes, int declared) throws IOException {
    int prefix = version == 1 ? 10 : 12;
    int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
    String header = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
    int length = declared >= 0 ? declared : header.length();
    ByteBuffer b = ByteBuffer.allocate(total + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
    if (version == 1) {
      b.putShort((short) length);
    } else {
      b.putInt(length);
    }
    b.put(header.getBytes(StandardCharsets.ISO_8859_1));
    return Files.write(tmp.resolve(name), b.array());
  }
}
