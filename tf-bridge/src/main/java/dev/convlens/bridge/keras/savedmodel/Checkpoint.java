package dev.convlens.bridge.keras.savedmodel;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.ModelFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A TF2 tensor-bundle checkpoint ({@code variables/variables.index} + data shards) read with the
 * {@code RestoreV2} op. Each read runs in its own throwaway graph and session, so this object owns
 * no native resources and can be shared freely; closing a {@link Result} closes its tensors.
 */
final class Checkpoint {
  /** The checkpoint entry holding the serialized {@code TrackableObjectGraph}. */
  static final String OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";

  private final Path prefix;
  private final Path index;

  private Checkpoint(Path prefix) {
    this.prefix = prefix;
    this.index = prefix.resolveSibling(prefix.getFileName() + ".index");
  }

  /** The checkpoint of a SavedModel directory: {@code <dir>/variables/variables.*}. */
  static Checkpoint ofSavedModel(Path dir) {
    Checkpoint checkpoint = new Checkpoint(dir.resolve("variables").resolve("variables"));
    if (!Files.isRegularFile(checkpoint.index)) {
      throw new ModelFormatException(checkpoint.index, "checkpoint index not found; a Keras SavedModel "
          + "keeps its weights in variables/variables.index and variables/variables.data-*");
    }
    return checkpoint;
  }

  Path index() {
    return index;
  }

  /** A scalar string entry as raw bytes (the object graph is a serialized proto, not text). */
  byte[] readBytes(String key) {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Restore restore = restore(graph, List.of(key), List.of(TString.class));
      try (Result result = session.runner().fetch(restore.tensors().get(0)).run()) {
        return ((TString) result.get(0)).asBytes().getObject();
      }
    } catch (ConvlensException e) {
      throw e;
    } catch (RuntimeException e) {
      // TF Java maps TF status codes onto several JDK exception types (TFInvalidArgumentException
      // is an IllegalArgumentException, TFNotFoundException a TensorFlowException, ...).
      throw new ModelFormatException(index, "cannot read checkpoint entry '" + key + "': " + firstLine(e), e);
    }
  }

  /** Float32 entries in the order of {@code keys}; any other dtype fails with the key named. */
  List<FloatArray> readFloats(List<String> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Restore restore = restore(graph, keys, Collections.nCopies(keys.size(), TFloat32.class));
      Session.Runner runner = session.runner();
      restore.tensors().forEach(runner::fetch);
      try (Result result = runner.run()) {
        List<FloatArray> out = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
          out.add(toFloatArray((TFloat32) result.get(i), keys.get(i)));
        }
        return out;
      }
    } catch (ConvlensException e) {
      throw e;
    } catch (RuntimeException e) {
      // RestoreV2 reports a dtype mismatch as "expected dtype float does not equal original
      // dtype int64" and a missing key as "Key ... not found"; both are problems of this file.
      throw new ModelFormatException(index, "cannot restore " + keys + " as float32 (convlens reads "
          + "float32 weights only): " + firstLine(e), e);
    }
  }

  private Restore restore(Graph graph, List<String> keys, List<Class<? extends TType>> dtypes) {
    Ops tf = Ops.create(graph);
    return tf.train.restore(
        tf.constant(prefix.toAbsolutePath().toString()),
        tf.constant(StandardCharsets.UTF_8, keys.toArray(String[]::new)),
        // "" = the whole tensor, no slicing.
        tf.constant(StandardCharsets.UTF_8, Collections.nCopies(keys.size(), "").toArray(String[]::new)),
        dtypes);
  }

  private FloatArray toFloatArray(TFloat32 tensor, String key) {
    long[] shape = tensor.shape().asArray();
    if (tensor.size() > Integer.MAX_VALUE - 8) {
      throw new ModelFormatException(index, "checkpoint entry '" + key + "' has " + tensor.size()
          + " values, more than one Java array can hold");
    }
    float[] data = new float[(int) tensor.size()];
    tensor.asRawTensor().data().asFloats().read(data);  // bulk copy; copyTo goes value by value
    return new FloatArray(shape, data);
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage()).strip();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
