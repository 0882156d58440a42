package dev.convlens.cli;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.io.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** Model input from a .npy file: one sample (the batch axis is added) or a batch, checked against the model's input. */
final class ArrayInput {
  private ArrayInput() {}

  static FloatArray read(KerasModel m, Path file) {
    FloatArray a = Npy.read(file);
    long[] want = m.inputShape();
    long[] stored = a.shape();
    long[] shape = stored;
    if (shape.length == want.length - 1) {
      long[] batched = new long[want.length];
      batched[0] = 1;
      System.arraycopy(shape, 0, batched, 1, shape.length);
      shape = batched;
      a = new FloatArray(shape, a.data());
    }
    boolean fits = shape.length == want.length;
    for (int i = 1; fits && i < want.length; i++) {
      fits = want[i] < 0 || want[i] == shape[i];
    }
    if (!fits) {
      throw new ConvlensException(file + ": holds an array of shape " + Arrays.toString(stored)
          + ", the model takes " + Arrays.toString(want) + " (one sample without the batch axis, or a batch)");
    }
    return a;
  }

  /** The first {@code max} values, for outputs that are not class scores. */
  static String preview(FloatArray a, int max) {
    StringBuilder s = new StringBuilder("[");
    int n = Math.min(max, a.data().length);
    for (int i = 0; i < n; i++) {
      s.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.6g", a.data()[i]));
    }
    return s.append(a.data().length > n ? ", ...]" : "]").toString();
  }
}
