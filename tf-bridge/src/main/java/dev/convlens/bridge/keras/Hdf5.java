package dev.convlens.bridge.keras;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.ModelFormatException;
import io.jhdf.HdfFile;
import io.jhdf.Superblock;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Small readers for the HDF5 shapes Keras writes: string(-list) attributes, split attributes, float datasets. */
final class Hdf5 {
  static final byte[] MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  private Hdf5() {}

  static HdfFile open(Path file) {
    try {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      return open(channel, 0, channel.size(), file, "");
    } catch (IOException e) {
      throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * The HDF5 file in {@code [offset, offset + size)} of {@code channel} (a whole file or a stored
   * zip entry), checked for truncation; {@code channel} is closed on failure, and at once when the
   * bytes are mapped. Up to 2 GiB the bytes are memory-mapped and handed to jhdf as a buffer: jhdf
   * then reads every structure as a slice of it, so a size a hostile file declares (a global heap
   * of 2 GB in a 2 KB file) fails as out of bounds instead of being allocated first, as jhdf does
   * for files it reads through a channel. Larger files (rare) are read through the channel.
   */
  static HdfFile open(FileChannel channel, long offset, long size, Path file, String what) throws IOException {
    HdfFile h;
    try {
      if (size <= Integer.MAX_VALUE) {
        ByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, offset, size);
        channel.close();  // the mapping stays valid
        h = HdfFile.fromByteBuffer(bytes);
      } else {
        h = new ChannelHdfFile(new RegionChannel(channel, offset, size), file);
      }
    } catch (IOException | RuntimeException e) {
      channel.close();
      if (e instanceof IOException io) {
        throw io;
      }
      throw new ModelFormatException(file, what + "not a readable HDF5 file (corrupt or truncated?): " + e.getMessage(),
          e);
    }
    return checkLength(h, file, what);
  }

  /**
   * Refuses {@code h} (and closes it) when it is shorter than its superblock says. jhdf reads
   * lazily, so a cut file would only fail deep inside some later read (or not at all when the lost
   * tail held only optimizer state); refuse it up front as h5py does. {@code what} prefixes the
   * message (e.g. the zip entry).
   */
  static HdfFile checkLength(HdfFile h, Path file, String what) {
    long expected;
    long actual;
    try {
      Superblock sb = h.getHdfBackingStorage().getSuperblock();
      expected = sb.getBaseAddressByte() + sb.getEndOfFileAddress();
      actual = h.getHdfBackingStorage().size();
      if (sb.getEndOfFileAddress() <= 0 || actual >= expected) {
        return h;
      }
    } catch (RuntimeException e) {
      h.close();
      throw corrupt(file, what + "its superblock", e);
    }
    h.close();
    throw new ModelFormatException(file, what + "truncated HDF5 file: " + actual + " bytes, but its superblock says "
        + expected);
  }

  /**
   * The end-of-file address an HDF5 superblock at the start of {@code head} declares (its whole
   * length as written), or -1 when {@code head} does not start with one. Read from the first bytes
   * so that a stream can be capped at the length the file itself claims, before it is all read.
   */
  static long declaredLength(byte[] head) {
    if (head.length < 12 || !java.util.Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return -1;
    }
    int version = head[8] & 0xff;
    int offsets = (version <= 1 ? head[13] : head[9]) & 0xff;
    // v0/v1: base address at 24 (v1: 4 bytes more), then free-space address, then end of file.
    // v2/v3: base address at 12, then superblock extension address, then end of file.
    int base = version == 0 ? 24 : version == 1 ? 28 : version <= 3 ? 12 : -1;
    if (base < 0 || offsets < 1 || offsets > 8 || head.length < base + 3 * offsets) {
      return -1;
    }
    long baseAddress = littleEndian(head, base, offsets);
    long eof = littleEndian(head, base + 2 * offsets, offsets);
    return baseAddress < 0 || eof <= 0 || eof > Long.MAX_VALUE - baseAddress ? -1 : baseAddress + eof;
  }

  private static long littleEndian(byte[] b, int at, int n) {
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }

  /**
   * The node at a {@code /}-separated path below {@code g}, or null when there is none. HDF5 links
   * are refused rather than followed: an external link would make jhdf open another file (a FIFO
   * blocks forever) and a soft link can point at itself; Keras never writes links.
   */
  static @Nullable Node child(Group g, String path, Path file) {
    Node n = g;
    for (String segment : path.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      if (!(n instanceof Group group)) {
        return null;
      }
      n = group.getChild(segment);
      if (n == null) {
        return null;
      }
      if (n.isLink()) {
        throw new ModelFormatException(file, (g.getPath() + "/" + path).replace("//", "/")
            + " goes through an HDF5 link ('" + segment + "'); Keras weight files hold none and links are not followed");
      }
    }
    return n;
  }

  /** {@code e} as a ModelFormatException naming {@code file}: jhdf reports corrupt structures with unchecked exceptions. */
  static ModelFormatException corrupt(Path file, String what, RuntimeException e) {
    if (e instanceof ModelFormatException m) {
      return m;
    }
    // jhdf narrows declared sizes with Math.toIntExact: a size that does not fit says only "integer overflow".
    String why = e instanceof ArithmeticException ? "a size it declares does not fit in memory (" + e.getMessage() + ")"
        : e.getMessage();
    return new ModelFormatException(file, "corrupt HDF5 file, cannot read " + what + ": " + why, e);
  }

  /** A string attribute, or null when absent. Keras writes bytes or str, scalar or 1-element. */
  static @Nullable String stringAttribute(Node node, String name) {
    Attribute a = node.getAttribute(name);
    if (a == null) {
      return null;
    }
    List<String> values = strings(a.getData());
    return values.isEmpty() ? null : values.get(0);
  }

  /**
   * A list-of-strings attribute such as {@code layer_names} or {@code weight_names}; Keras splits
   * those over 64 KB into {@code name0}, {@code name1}, ... Weightless layers store an empty float array.
   */
  static List<String> stringListAttribute(Node node, String name) {
    Attribute a = node.getAttribute(name);
    if (a != null) {
      return strings(a.getData());
    }
    List<String> all = new ArrayList<>();
    for (int i = 0; node.getAttribute(name + i) != null; i++) {
      all.addAll(strings(node.getAttribute(name + i).getData()));
    }
    return all;
  }

  private static List<String> strings(Object data) {
    List<String> out = new ArrayList<>();
    if (data instanceof String s) {
      out.add(s);
    } else if (data instanceof String[] arr) {
      out.addAll(List.of(arr));
    } else if (data instanceof Object[] arr) {
      for (Object o : arr) {
        out.addAll(strings(o));
      }
    } else if (data instanceof byte[] b) {
      out.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
    }
    // Numeric arrays (the empty float64 array of weightless layers) carry no names.
    return out;
  }

  /**
   * A float dataset's values. {@code weight} names it in messages; the caller has checked its
   * declared shape (see {@link WeightCheck}), so the data read is what the config asked for.
   */
  static FloatTensor floats(Dataset d, Path file, String weight) {
    int[] dims = d.getDimensions();
    long[] shape = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      shape[i] = dims[i];
    }
    Object flat;
    try {
      flat = d.isScalar() ? scalar(d.getData()) : d.getDataFlat();
    } catch (RuntimeException e) {
      throw new ModelFormatException(file, weight + ": cannot read dataset " + d.getPath() + ": "
          + (e instanceof ArithmeticException ? "a size it declares does not fit in memory (" + e.getMessage() + ")"
              : e.getMessage()), e);
    }
    if (flat instanceof float[] f && f.length == d.getSize()) {
      return new FloatTensor(shape, f);
    }
    if (flat instanceof double[] dd && dd.length == d.getSize()) {
      float[] f = new float[dd.length];
      for (int i = 0; i < dd.length; i++) {
        f[i] = (float) dd[i];
      }
      return new FloatTensor(shape, f);
    }
    throw new ModelFormatException(file, weight + ": dataset " + d.getPath() + " did not read as "
        + d.getSize() + " float32 or float64 values");
  }

  private static Object scalar(Object value) {
    if (value instanceof Float f) {
      return new float[] {f};
    }
    if (value instanceof Long || value instanceof Integer) {
      return new double[] {((Number) value).doubleValue()};
    }
    return value instanceof Double v ? new double[] {v} : value;
  }
}
