package dev.convlens.bridge.export;

import dev.convlens.bridge.FloatTensor;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jhdf.storage.HdfFileChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Opens a jhdf 0.9.4 file for writing without the two artefacts real Keras files lack (checked by
 * the tf-bridge test fixtures against real Keras files). Public for those fixtures; not an API.
 *
 * <p>1. jhdf adds a root attribute {@code _jHDF}; it is removed.
 *
 * <p>2. On close jhdf writes a version string at the file channel's current position, which is the
 * end of the last dataset written, not the end of the file; when a group without datasets is
 * written after that dataset the string overwrites its object header. The root group is wrapped so
 * that, once it is written, the channel moves to the end of the file. This needs one reflective
 * write of jhdf's private {@code rootGroup} field and fails loudly if a jhdf update renames it.
 */
public final class JhdfFiles {
  /** jhdf 0.9.4 writes attributes inline in the object header: above about 59.5 KB the file is unreadable. */
  static final int ATTRIBUTE_LIMIT = 59000;

  private JhdfFiles() {}

  public static WritableHdfFile create(Path file) {
    WritableHdfFile h5 = HdfFile.write(file);
    h5.removeAttribute("_jHDF");
    try {
      Field rootField = WritableHdfFile.class.getDeclaredField("rootGroup");
      rootField.setAccessible(true);
      WritableGroup root = (WritableGroup) rootField.get(h5);
      rootField.set(h5, endOfFileAfterWrite(root));
    } catch (ReflectiveOperationException | RuntimeException e) {
      h5.close();
      throw new IllegalStateException("cannot apply the jhdf 0.9.4 close-trailer workaround (jhdf changed?) for " + file, e);
    }
    return h5;
  }

  private static WritableGroup endOfFileAfterWrite(WritableGroup root) {
    return (WritableGroup) Proxy.newProxyInstance(JhdfFiles.class.getClassLoader(), new Class<?>[] {WritableGroup.class},
        (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(root, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (method.getName().equals("write") && args != null && args.length == 2 && args[0] instanceof HdfFileChannel ch) {
            try {
              FileChannel channel = ch.getFileChannel();
              channel.position(channel.size());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          return result;
        });
  }

  /**
   * {@code a} as jhdf wants dataset values: a Java array whose rank is the array's rank
   * ({@code float[][][][]} for an HWIO kernel), or a boxed float for a scalar.
   */
  public static Object javaArray(FloatTensor a) {
    if (a.rank() == 0) {
      return a.data()[0];
    }
    int[] dims = new int[a.rank()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = Math.toIntExact(a.dim(i));
    }
    Object out = Array.newInstance(float.class, dims);
    fill(out, a.data(), new int[] {0});
    return out;
  }

  private static void fill(Object target, float[] data, int[] next) {
    if (target instanceof float[] row) {
      System.arraycopy(data, next[0], row, 0, row.length);
      next[0] += row.length;
      return;
    }
    for (Object sub : (Object[]) target) {
      fill(sub, data, next);
    }
  }
}
