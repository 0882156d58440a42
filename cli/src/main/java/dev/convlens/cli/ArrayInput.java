package dev.convlens.cli;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.io.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Model input from a .npy file: one sample (the batch axis is added) or a batch, checked against the model's input. */
final class ArrayInput {
  private ArrayInput() {}

  /** {@code NAME=FILE.npy} per input of a multi-input model, each checked against its input. */
  static Map<String, FloatTensor> readAll(KerasModel m, List<String> args) {
    Map<String, long[]> shapes = m.inputShapes();
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      String name = eq > 0 ? a.substring(0, eq) : "";
      if (!shapes.containsKey(name)) {
        throw new IllegalArgumentException("--input " + a + ": expected NAME=FILE.npy with NAME one of "
            + m.inputNames());
      }
      out.put(name, read(shapes.get(name), Path.of(a.substring(eq + 1))));
    }
    if (!out.keySet().equals(new java.util.HashSet<>(m.inputNames()))) {
      throw new IllegalArgumentException("the model takes inputs " + m.inputNames() + ", got --input for "
          + out.keySet());
    }
    return out;
  }

  static FloatTensor read(KerasModel m, Path file) {
    return read(m.inputShape(), file);
  }

  private static FloatTensor read(long[] want, Path file) {
    FloatTensor a = Npy.read(file);
    long[] stored = a.shape();
    long[] shape = stored;
    if (shape.length == want.length - 1) {
      long[] batched = new long[want.length];
      batched[0] = 1;
      System.arraycopy(shape, 0, batched, 1, shape.length);
      shape = batched;
      a = new FloatTensor(shape, a.data());
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
  static String preview(FloatTensor a, int max) {
    StringBuilder s = new StringBuilder("[");
    int n = Math.min(max, a.data().length);
    for (int i = 0; i < n; i++) {
      s.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.6g", a.data()[i]));
    }
    return s.append(a.data().length > n ? ", ...]" : "]").toString();
  }
}
