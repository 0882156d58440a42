package dev.convlens.bridge.io;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), C order only.
 *
 * <p>Readable dtypes: float32, float64, signed ints of 1/2/4/8 bytes, unsigned ints of 1/2/4 bytes
 * and bool, in either byte order; every value is converted to float (or double) with round to
 * nearest, as {@code ndarray.astype} does. Like {@code numpy.load}, bytes after the array are
 * ignored (several arrays may be saved into one file handle). Writing produces float32 {@code <f4}
 * files that {@code numpy.load} reads back bit-exactly.
 *
 * <p>A corrupt, truncated or unsupported file raises {@link ModelFormatException} naming the file, as
 * does a path that is not a regular file (missing, a directory, a pipe or device), refused before it
 * is opened; an I/O failure while reading (permissions, a disk error) raises {@link ConvlensException}
 * with the cause attached. Hostile files are bounded: the header is parsed strictly (never evaluated)
 * and at most {@value #MAX_HEADER} bytes long, as in {@code numpy.load}, and the declared shape is
 * checked against the file's size before the values are allocated, so reading needs the array
 * itself (4 or 8 bytes per value, at most 8 times the file's size) plus 64 KB.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** numpy pads the header so that the data starts on a 64-byte boundary. */
  private static final int ALIGN = 64;
  private static final int CHUNK = 1 << 16;

  /** numpy.load's default {@code max_header_size}: longer headers are refused, not parsed. */
  static final int MAX_HEADER = 10_000;

  private Npy() {}

  /** A float64 (or any readable dtype) array read without narrowing to float32, row-major. */
  public record Doubles(long[] shape, double[] data) {
    public Doubles {
      if (product(shape) != data.length) {
        throw new InvalidInputException(
            "shape " + Arrays.toString(shape) + " needs " + product(shape) + " values, got " + data.length);
      }
    }

    /** The same values rounded to float32 (round to nearest, like {@code astype(np.float32)}). */
    public FloatTensor toFloatTensor() {
      float[] f = new float[data.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) data[i];
      }
      return new FloatTensor(shape.clone(), f);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Doubles x && Arrays.equals(shape, x.shape) && Arrays.equals(data, x.data);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Npy.Doubles" + Arrays.toString(shape);
    }
  }

  /** Reads an {@code .npy} file as float32 (float64 and integer files are converted). */
  public static FloatTensor read(Path file) {
    return Objects.requireNonNull(readInto(file, false).floats);
  }

  /** Reads an {@code .npy} file as double, keeping float64 golden values exact. */
  public static Doubles readDoubles(Path file) {
    return Objects.requireNonNull(readInto(file, true).doubles);
  }

  /**
   * Writes {@code array} as a float32 little-endian {@code .npy} file. The data goes to a temporary
   * file in the same directory first, which is then moved over {@code file}, so readers never see a
   * half-written file. A failed write raises {@link OutputWriteException} naming the file and the cause.
   */
  public static void write(Path file, FloatTensor array) {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new ConvlensException(file + ": cannot write .npy file, directory " + dir + " does not exist");
    }
    try {
      AtomicFiles.write(target, tmp -> {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
          writeFully(ch, ByteBuffer.wrap(header(array.shape())));
          float[] data = array.data();
          ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
          for (int i = 0; i < data.length; ) {
            buf.clear();
            while (i < data.length && buf.remaining() >= Float.BYTES) {
              buf.putFloat(data[i++]);
            }
            buf.flip();
            writeFully(ch, buf);
          }
          ch.force(true);
        }
      });
    } catch (IOException e) {
      throw AtomicFiles.failure(target, e);
    }
  }

  /** The magic, version and padded header dict for a float32 C-order array of this shape. */
  static byte[] header(long[] shape) {
    StringBuilder dims = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      dims.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    dims.append(shape.length == 1 ? ",)" : ")"); // Python's tuple repr: (5,) and ()
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }";
    int prefix = 10; // magic(6) + version(2) + uint16 length
    if (padded(prefix, dict) > 0xFFFF + prefix) {
      prefix = 12; // version 2.0: uint32 length
    }
    int total = padded(prefix, dict);
    byte[] text = (dict + " ".repeat(total - prefix - dict.length() - 1) + "\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) (prefix == 10 ? 1 : 2)).put((byte) 0);
    if (prefix == 10) {
      b.putShort((short) text.length);
    } else {
      b.putInt(text.length);
    }
    b.put(text);
    return b.array();
  }

  private static int padded(int prefix, String dict) {
    int unpadded = prefix + dict.length() + 1;
    return (unpadded + ALIGN - 1) / ALIGN * ALIGN;
  }

  // ---------------------------------------------------------------- reading

  private record Dtype(char kind, int size, ByteOrder order, String descr) {}

  private record Header(Dtype dtype, long[] shape, long dataOffset) {}

  private static final class Result {
    @Nullable FloatTensor floats;
    @Nullable Doubles doubles;
  }

  private static Result readInto(Path file, boolean asDouble) {
    // a pipe or device would block or never end: refuse it before opening
    String problem = InputPaths.problem(file, false);
    if (problem != null) {
      throw new ModelFormatException(file, "cannot read .npy file: " + problem);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Header h = readHeader(file, ch);
      long n = count(h.shape());
      if (n < 0 || n > Integer.MAX_VALUE - 8) {
        throw new ModelFormatException(file, "array of shape " + Arrays.toString(h.shape()) + " has "
            + (n < 0 ? "more than 2^63" : Long.toString(n)) + " values, more than a Java array can hold");
      }
      // checked against the file's size before anything is allocated for the values
      long available = ch.size() - h.dataOffset();
      long needed = n * h.dtype().size();
      if (available < needed) {
        throw new ModelFormatException(file, "truncated .npy file: header promises " + n + " values of '"
            + h.dtype().descr() + "' (" + needed + " bytes) but only " + available + " bytes follow the header");
      }
      float[] f = asDouble ? null : new float[(int) n];
      double[] d = asDouble ? new double[(int) n] : null;
      decode(file, ch, h, f, d);
      Result r = new Result();
      if (asDouble) {
        r.doubles = new Doubles(h.shape(), Objects.requireNonNull(d));
      } else {
        r.floats = new FloatTensor(h.shape(), Objects.requireNonNull(f));
      }
      return r;
    } catch (IOException e) {
      throw new ConvlensException(file + ": cannot read .npy file: " + e, e);
    }
  }

  private static Header readHeader(Path file, FileChannel ch) throws IOException {
    ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    readUpTo(ch, pre, 0);
    if (pre.position() < 10) {
      throw new ModelFormatException(file, "not an .npy file: " + (pre.position() == 0 ? "empty" : "only " + pre.position() + " bytes"));
    }
    pre.flip();
    for (byte m : MAGIC) {
      if (pre.get() != m) {
        throw new ModelFormatException(file, "not an .npy file: missing the \\x93NUMPY magic string");
      }
    }
    int major = pre.get() & 0xFF;
    int minor = pre.get() & 0xFF;
    long headerLen;
    int prefix;
    if (major == 1) {
      headerLen = pre.getShort() & 0xFFFF;
      prefix = 10;
    } else if (major == 2 || major == 3) {
      if (pre.remaining() < 4) {
        throw new ModelFormatException(file, "truncated .npy header");
      }
      headerLen = pre.getInt() & 0xFFFFFFFFL;
      prefix = 12;
    } else {
      throw new ModelFormatException(file, "unsupported .npy format version " + major + "." + minor + " (expected 1.0, 2.0 or 3.0)");
    }
    if (headerLen > MAX_HEADER) {
      throw new ModelFormatException(file, "corrupt .npy header: it declares " + headerLen + " header bytes, more than"
          + " numpy.load's limit of " + MAX_HEADER + " (a plain array's header takes under 200)");
    }
    if (prefix + headerLen > ch.size()) {
      throw new ModelFormatException(file, "truncated .npy header: " + headerLen + " header bytes announced, file has "
          + ch.size() + " bytes");
    }
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    readUpTo(ch, hb, prefix);
    if (hb.hasRemaining()) {
      throw new ModelFormatException(file, "truncated .npy header: the file ended while reading it");
    }
    // 1.0 and 2.0 headers are latin-1, 3.0 is utf-8; the keys we need are ASCII either way
    String text = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    NpyHeader parsed = NpyHeader.parse(file, text);
    long[] shape = parsed.shape();
    if (parsed.fortranOrder() && Arrays.stream(shape).filter(dim -> dim > 1).count() > 1) {
      throw new ModelFormatException(file, ".npy array of shape " + Arrays.toString(shape) + " is stored in Fortran"
          + " order; only C order is supported (save it with np.ascontiguousarray)");
    }
    // Fortran order with at most one dimension above 1 is the same layout as C order
    return new Header(dtype(file, parsed.descr()), shape, prefix + headerLen);
  }

  private static Dtype dtype(Path file, String descr) {
    if (descr.length() >= 3) {
      char endian = descr.charAt(0);
      char kind = descr.charAt(1);
      int size;
      try {
        size = Integer.parseInt(descr.substring(2));
      } catch (NumberFormatException e) {
        size = -1;
      }
      ByteOrder order = endian == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      boolean endianOk = endian == '<' || endian == '>' || (endian == '|' && size == 1);
      boolean kindOk = switch (kind) {
        case 'f' -> size == 4 || size == 8;
        case 'i' -> size == 1 || size == 2 || size == 4 || size == 8;
        case 'u' -> size == 1 || size == 2 || size == 4;
        case 'b' -> size == 1;
        default -> false;
      };
      if (endianOk && kindOk) {
        return new Dtype(kind, size, order, descr);
      }
    }
    throw new ModelFormatException(file, "unsupported .npy dtype '" + descr
        + "' (supported: float32, float64, int8/16/32/64, uint8/16/32, bool)");
  }

  private static void decode(Path file, FileChannel ch, Header h, float @Nullable [] f, double @Nullable [] d) throws IOException {
    Dtype t = h.dtype();
    int n = f != null ? f.length : Objects.requireNonNull(d).length;
    int perChunk = CHUNK / t.size();
    ByteBuffer buf = ByteBuffer.allocate(perChunk * t.size()).order(t.order());
    long pos = h.dataOffset();
    for (int i = 0; i < n; ) {
      int count = Math.min(perChunk, n - i);
      buf.clear().limit(count * t.size());
      pos += readUpTo(ch, buf, pos);
      if (buf.hasRemaining()) {
        throw new ModelFormatException(file, "truncated .npy file: data ends after " + i + " of " + n + " values");
      }
      buf.flip();
      for (int k = 0; k < count; k++, i++) {
        if (f != null) {
          f[i] = readFloat(buf, t);
        } else {
          Objects.requireNonNull(d)[i] = readDouble(buf, t);
        }
      }
    }
  }

  private static float readFloat(ByteBuffer b, Dtype t) {
    return switch (t.kind()) {
      case 'f' -> t.size() == 4 ? b.getFloat() : (float) b.getDouble();
      case 'i' -> t.size() == 8 ? (float) b.getLong() : (float) readInt(b, t);
      default -> (float) readInt(b, t);
    };
  }

  private static double readDouble(ByteBuffer b, Dtype t) {
    return switch (t.kind()) {
      case 'f' -> t.size() == 4 ? b.getFloat() : b.getDouble();
      case 'i' -> t.size() == 8 ? (double) b.getLong() : readInt(b, t);
      default -> readInt(b, t);
    };
  }

  /** Integer kinds up to 32 bits (and bool), widened to long without loss. */
  private static long readInt(ByteBuffer b, Dtype t) {
    boolean unsigned = t.kind() != 'i';
    return switch (t.size()) {
      case 1 -> unsigned ? b.get() & 0xFFL : b.get();
      case 2 -> unsigned ? b.getShort() & 0xFFFFL : b.getShort();
      case 4 -> unsigned ? b.getInt() & 0xFFFFFFFFL : b.getInt();
      default -> throw new IllegalStateException("dtype " + t.descr());
    };
  }

  /** Fills {@code buf} from {@code position} until full or end of file; returns the bytes read. */
  private static int readUpTo(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    int total = 0;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, position + total);
      if (r < 0) {
        break;
      }
      total += r;
    }
    return total;
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static long product(long[] shape) {
    long n = 1;
    for (long s : shape) {
      n = Math.multiplyExact(n, s);
    }
    return n;
  }

  /** The number of values of {@code shape}, or -1 when it overflows a long. */
  private static long count(long[] shape) {
    if (Arrays.stream(shape).anyMatch(dim -> dim == 0)) {
      return 0;
    }
    try {
      return product(shape);
    } catch (ArithmeticException e) {
      return -1;
    }
  }
}
