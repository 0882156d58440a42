package dev.convlens.bridge.export;

import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.ModelFormatException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/** Reads float32 tensors from a TF checkpoint ({@code variables/variables.index + .data-*}) with RestoreV2. */
final class CheckpointReader {
  private CheckpointReader() {}

  static Map<String, FloatArray> read(Path prefix, List<String> names) {
    if (names.isEmpty()) {
      return Map.of();
    }
    Map<String, FloatArray> out = new LinkedHashMap<>();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      String[] keys = names.toArray(String[]::new);
      String[] slices = new String[keys.length];
      java.util.Arrays.fill(slices, "");
      List<Class<? extends TType>> types = Collections.nCopies(keys.length, TFloat32.class);
      Restore restore = tf.train.restore(tf.constant(prefix.toString()),
          tf.constant(NdArrays.vectorOfObjects(keys)), tf.constant(NdArrays.vectorOfObjects(slices)), types);
      Session.Runner runner = s.runner();
      restore.tensors().forEach(runner::fetch);
      try (Result r = runner.run()) {
        for (int i = 0; i < keys.length; i++) {
          TFloat32 t = (TFloat32) r.get(i);
          float[] data = new float[(int) t.size()];
          t.asRawTensor().data().asFloats().read(data);  // bulk copy; copyTo goes value by value
          out.put(keys[i], new FloatArray(t.shape().asArray(), data));
        }
      }
    } catch (RuntimeException e) {
      throw new ModelFormatException(prefix.getParent(), "cannot read checkpoint variables " + names + ": "
          + e.getMessage(), e);
    }
    return out;
  }

}
