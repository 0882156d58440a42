package dev.convlens.bridge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path tmp;

  private static Path sharedData() {
    return dev.convlens.bridge.fixtures.SharedData.require("golden").getParent();
  }

  @Test
  void roundTripKeepsShapeAndBits() {
    float[] values = {0f, -0f, 1.5f, -2.25f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN,
        Float.POSITIVE_INFINITY, 1e-30f, 3.1415927f, 255f, -1f};
    for (long[] shape : new long[][] {{12}, {3, 4}, {1, 2, 2, 3}, {2, 3, 2, 1, 1}}) {
      FloatTensor a = new FloatTensor(shape, values.clone());
      Path f = tmp.resolve("a" + shape.length + ".npy");
      Npy.write(f, a);
      FloatTensor b = Npy.read(f);
      assertArrayEquals(shape, b.shape());
      for (int i = 0; i < values.length; i++) {
        assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(b.data()[i]), "value " + i);
      }
      assertEquals(0, headerLength(f) % 64, "numpy aligns the data to 64 bytes");
    }
  }

  @Test
  void roundTripScalarAndEmptyAndOverwrite() throws IOException {
    Path f = tmp.resolve("s.npy");
    Npy.write(f, new FloatTensor(new long[0], new float[] {42f}));
    assertEquals(new FloatTensor(new long[0], new float[] {42f}), Npy.read(f));
    String header = new String(Files.readAllBytes(f), 10, 60, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'shape': ()"), header);

    Npy.write(f, new FloatTensor(new long[] {0, 3}, new float[0])); // replaces the old file
    assertEquals(new FloatTensor(new long[] {0, 3}, new float[0]), Npy.read(f));
    try (var files = Files.list(tmp)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void writerIsByteIdenticalToNumpy() throws Exception {
    Path golden = sharedData().resolve("golden");
    Path src = golden.resolve("C_cnd_small__cat1700_input.npy");
    // the case JSON records the sha256 of the file numpy wrote
    String expected = new ObjectMapper().readTree(golden.resolve("C_cnd_small__cat1700.json").toFile())
        .path("input").path("tensor").path("sha256").asText();

    FloatTensor a = Npy.read(src);
    assertArrayEquals(new long[] {1, 50, 50, 3}, a.shape());
    // 157/255 in float32, printed by numpy.load for pixel (0,0) red
    assertEquals(0.615686297416687f, a.data()[0]);
    assertEquals(157f, Math.round(a.data()[0] * 255f));

    Path copy = tmp.resolve("copy.npy");
    Npy.write(copy, a);
    assertEquals(expected, sha256(copy));
  }

  @Test
  void readsFloat64Golden() {
    Path f = sharedData().resolve("models/keras-h5/dl4j/fullconfigs_cnn/input.npy");
    assumeTrue(Files.isRegularFile(f), "missing " + f);
    Npy.Doubles d = Npy.readDoubles(f);
    assertArrayEquals(new long[] {5, 10, 10, 3}, d.shape());
    // values printed by numpy.load (repr of float)
    assertEquals(0.27812651949435974, d.data()[0]);
    assertEquals(0.5181752431585356, d.data()[d.data().length - 1]);
    FloatTensor f32 = Npy.read(f);
    assertEquals((float) 0.27812651949435974, f32.data()[0]);
    assertEquals(d.toFloatTensor(), f32);
  }

  @Test
  void readsIntegerBoolAndBigEndianDtypes() throws IOException {
    Path i8 = rawNpy("i8.npy", "<i8", "(3,)", 1, ByteOrder.LITTLE_ENDIAN, b -> b.putLong(-5).putLong(7).putLong(1L << 40));
    assertArrayEquals(new float[] {-5f, 7f, (float) (1L << 40)}, Npy.read(i8).data());

    Path u1 = rawNpy("u1.npy", "|u1", "(2, 2)", 1, ByteOrder.LITTLE_ENDIAN,
        b -> b.put((byte) 0).put((byte) 128).put((byte) 255).put((byte) 7));
    FloatTensor u = Npy.read(u1);
    assertArrayEquals(new long[] {2, 2}, u.shape());
    assertArrayEquals(new float[] {0f, 128f, 255f, 7f}, u.data());

    Path i4 = rawNpy("i4.npy", "<i4", "(2,)", 1, ByteOrder.LITTLE_ENDIAN, b -> b.putInt(-123456).putInt(Integer.MAX_VALUE));
    assertArrayEquals(new double[] {-123456, Integer.MAX_VALUE}, Npy.readDoubles(i4).data());

    Path be = rawNpy("be.npy", ">f4", "(2,)", 1, ByteOrder.BIG_ENDIAN, b -> b.putFloat(1.25f).putFloat(-3f));
    assertArrayEquals(new float[] {1.25f, -3f}, Npy.read(be).data());

    Path v2 = rawNpy("v2.npy", "<f8", "(1,)", 2, ByteOrder.LITTLE_ENDIAN, b -> b.putDouble(0.1));
    assertEquals(0.1, Npy.readDoubles(v2).data()[0]);
    assertEquals(0.1f, Npy.read(v2).data()[0]);

    Path v3 = rawNpy("v3.npy", "<f4", "(1,)", 3, ByteOrder.LITTLE_ENDIAN, b -> b.putFloat(2f));
    assertEquals(2f, Npy.read(v3).data()[0]);

    Path bool = rawNpy("b.npy", "|b1", "(2,)", 1, ByteOrder.LITTLE_ENDIAN, b -> b.put((byte) 1).put((byte) 0));
    assertArrayEquals(new float[] {1f, 0f}, Npy.read(bool).data());
  }

  @Test
  void corruptFilesFailNamingTheFile() throws IOException {
    Path good = tmp.resolve("good.npy");
    Npy.write(good, new FloatTensor(new long[] {4, 4}, new float[16]));
    byte[] bytes = Files.readAllBytes(good);

    Path truncated = tmp.resolve("truncated.npy");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 5));
    assertFormatError(truncated, "truncated");

    Path cutHeader = tmp.resolve("cut_header.npy");
    Files.write(cutHeader, Arrays.copyOf(bytes, 30));
    assertFormatError(cutHeader, "truncated");

    Path empty = Files.write(tmp.resolve("empty.npy"), new byte[0]);
    assertFormatError(empty, "empty");

    Path text = Files.writeString(tmp.resolve("text.npy"), "this is not a numpy file at all");
    assertFormatError(text, "magic");

    Path fortran = rawHeaderNpy("f.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16);
    assertFormatError(fortran, "Fortran");

    Path complex = rawHeaderNpy("c.npy", "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16);
    assertFormatError(complex, "<c8");

    Path structured = rawHeaderNpy("st.npy", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8);
    assertFormatError(structured, "dtype");

    Path missing = tmp.resolve("nope.npy");
    ConvlensException e = assertThrows(ConvlensException.class, () -> Npy.read(missing));
    assertTrue(e.getMessage().contains("nope.npy"), e.getMessage());
  }

  private static void assertFormatError(Path f, String fragment) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Npy.read(f));
    assertEquals(f, e.source());
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
  }

  // ---------------------------------------------------------------- helpers

  private interface Filler {
    void fill(ByteBuffer b);
  }

  /** An .npy file assembled by hand following the format spec, for dtypes the writer never produces. */
  private Path rawNpy(String name, String descr, String shape, int version, ByteOrder order, Filler data) throws IOException {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    ByteBuffer body = ByteBuffer.allocate(256).order(order);
    data.fill(body);
    body.flip();
    return write(name, dict, version, body);
  }

  private Path rawHeaderNpy(String name, String dict, int dataBytes) throws IOException {
    return write(name, dict, 1, ByteBuffer.allocate(dataBytes));
  }

  private Path write(String name, String dict, int version, ByteBuffer body) throws IOException {
    int prefix = version == 1 ? 10 : 12;
    int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
    String header = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
    ByteBuffer b = ByteBuffer.allocate(total + body.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
    if (version == 1) {
      b.putShort((short) header.length());
    } else {
      b.putInt(header.length());
    }
    b.put(header.getBytes(StandardCharsets.US_ASCII)).put(body);
    return Files.write(tmp.resolve(name), b.array());
  }

  private static int headerLength(Path f) {
    try {
      byte[] b = Files.readAllBytes(f);
      return 10 + ((b[8] & 0xFF) | (b[9] & 0xFF) << 8);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  private static String sha256(Path f) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
  }
}
