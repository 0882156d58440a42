package dev.convlens.bridge.keras;

import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.ModelFormatException;
import io.jhdf.HdfFile;
import io.jhdf.Superblock;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small readers for the HDF5 shapes Keras writes: string(-list) attributes, split attributes, float datasets. */
final class Hdf5 {
  private Hdf5() {}

  static HdfFile open(Path file) {
    HdfFile h;
    try {
      h = new HdfFile(file);
    } catch (RuntimeException e) {
      throw new ModelFormatException(file, "not a readable HDF5 file (corrupt or truncated?): " + e.getMessage(), e);
    }
    // jhdf reads lazily, so a cut file would only fail deep inside some later read (or not at all
    // when the lost tail held only optimizer state); refuse it up front as h5py does.
    Superblock sb = h.getHdfBackingStorage().getSuperblock();
    long expected = sb.getBaseAddressByte() + sb.getEndOfFileAddress();
    long actual = h.getHdfBackingStorage().size();
    if (sb.getEndOfFileAddress() > 0 && actual < expected) {
      h.close();
      throw new ModelFormatException(file, "truncated HDF5 file: " + actual + " bytes, but its superblock says "
          + expected);
    }
    return h;
  }

  /** {@code e} as a ModelFormatException naming {@code file}: jhdf reports corrupt structures with unchecked exceptions. */
  static ModelFormatException corrupt(Path file, String what, RuntimeException e) {
    return e instanceof ModelFormatException m ? m
        : new ModelFormatException(file, "corrupt HDF5 file, cannot read " + what + ": " + e.getMessage(), e);
  }

  /** A string attribute, or null when absent. Keras writes bytes or str, scalar or 1-element. */
  static String stringAttribute(Node node, String name) {
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

  static FloatArray floats(Dataset d, Path file) {
    int[] dims = d.getDimensions();
    long[] shape = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      shape[i] = dims[i];
    }
    Object flat;
    try {
      flat = d.isScalar() ? new float[] {((Number) d.getData()).floatValue()} : d.getDataFlat();
    } catch (RuntimeException e) {
      throw new ModelFormatException(file, "cannot read dataset " + d.getPath() + ": " + e.getMessage(), e);
    }
    if (flat instanceof float[] f) {
      return new FloatArray(shape, f);
    }
    if (flat instanceof double[] dd) {
      float[] f = new float[dd.length];
      for (int i = 0; i < dd.length; i++) {
        f[i] = (float) dd[i];
      }
      return new FloatArray(shape, f);
    }
    throw new ModelFormatException(file, "dataset " + d.getPath() + " holds " + d.getJavaType().getSimpleName()
        + ", expected float32 or float64 weights");
  }
}
