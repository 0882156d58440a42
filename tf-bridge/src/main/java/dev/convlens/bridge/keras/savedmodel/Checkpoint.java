package dev.convlens.bridge.keras.savedmodel;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.LoadLimits;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.io.InputPaths;
import dev.convlens.bridge.keras.BoundedRead;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.DataType;
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
  private final LoadLimits limits;
  private @Nullable CheckpointIndex entries;

  private Checkpoint(Path prefix, LoadLimits limits) {
    this.prefix = prefix;
    this.index = prefix.resolveSibling(prefix.getFileName() + ".index");
    this.limits = limits;
  }

  static Checkpoint ofSavedModel(Path dir) {
    return ofSavedModel(dir, LoadLimits.defaults());
  }

  /** The checkpoint of a SavedModel directory: {@code <dir>/variables/variables.*}. */
  static Checkpoint ofSavedModel(Path dir, LoadLimits limits) {
    Checkpoint checkpoint = new Checkpoint(dir.resolve("variables").resolve("variables"), limits);
    String problem = InputPaths.problem(checkpoint.index, false);
    if (problem != null) {
      throw new ModelFormatException(checkpoint.index, "checkpoint index: " + problem + "; a Keras SavedModel "
          + "keeps its weights in variables/variables.index and variables/variables.data-*");
    }
    return checkpoint;
  }

  Path index() {
    return index;
  }

  /**
   * The index entry of {@code key}, checked to be readable as {@code dtype}: present, of that type,
   * its byte range inside its data shard and, for float32, exactly 4 bytes per value of its shape.
   * So {@code RestoreV2} never allocates more than the shard files hold.
   */
  CheckpointIndex.Entry entry(String key, DataType dtype) {
    if (entries == null) {
      byte[] bytes = BoundedRead.file(index, limits.maxConfigBytes(), "checkpoint index", "LoadLimits.maxConfigBytes");
      entries = CheckpointIndex.parse(index, bytes);
    }
    CheckpointIndex.Entry e = entries.entry(key);
    if (e == null) {
      throw new ModelFormatException(index, "checkpoint has no entry '" + key + "'");
    }
    if (e.dtype() != dtype || e.sliced()) {
      throw new ModelFormatException(index, "checkpoint entry '" + key + "' holds " + e.dtype()
          + (e.sliced() ? " in slices" : "") + ", expected " + dtype + " (convlens reads float32 weights)");
    }
    long count = e.count();
    if (dtype == DataType.DT_FLOAT && (count < 0 || count > (Integer.MAX_VALUE - 8) || e.size() != 4 * count)) {
      throw new ModelFormatException(index, "checkpoint entry '" + key + "' declares shape "
          + java.util.Arrays.toString(e.shape()) + " (" + count + " values) in " + e.size() + " bytes: "
          + (count > Integer.MAX_VALUE - 8 ? "more values than one Java array holds" : "expected 4 bytes per value"));
    }
    if (dtype == DataType.DT_STRING && e.size() > limits.maxConfigBytes()) {
      throw BoundedRead.tooLarge(index, "checkpoint entry '" + key + "'", e.size() + " bytes", limits.maxConfigBytes(),
          "LoadLimits.maxConfigBytes");
    }
    Path shard = prefix.resolveSibling(String.format(java.util.Locale.ROOT, "%s.data-%05d-of-%05d",
        prefix.getFileName(), e.shard(), entries.shards()));
    String problem = InputPaths.problem(shard, false);
    if (problem != null) {
      throw new ModelFormatException(shard, "data shard of checkpoint entry '" + key + "': " + problem);
    }
    try {
      if (e.shard() < 0 || e.shard() >= entries.shards() || e.offset() < 0 || e.size() < 0
          || e.offset() > Files.size(shard) - e.size()) {
        throw new ModelFormatException(shard, "checkpoint entry '" + key + "' lies at [" + e.offset() + ", +"
            + e.size() + "), outside its data shard (" + Files.size(shard) + " bytes)");
      }
    } catch (java.io.IOException x) {
      throw new ModelFormatException(shard, "cannot read: " + x.getMessage(), x);
    }
    return e;
  }

  /** A scalar string entry as raw bytes (the object graph is a serialized proto, not text). */
  byte[] readBytes(String key) {
    entry(key, DataType.DT_STRING);
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
  List<FloatTensor> readFloats(List<String> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    for (String key : keys) {
      entry(key, DataType.DT_FLOAT);
    }
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Restore restore = restore(graph, keys, Collections.nCopies(keys.size(), TFloat32.class));
      Session.Runner runner = session.runner();
      restore.tensors().forEach(runner::fetch);
      try (Result result = runner.run()) {
        List<FloatTensor> out = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
          out.add(toFloatTensor((TFloat32) result.get(i), keys.get(i)));
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

  private FloatTensor toFloatTensor(TFloat32 tensor, String key) {
    long[] shape = tensor.shape().asArray();
    if (tensor.size() > Integer.MAX_VALUE - 8) {
      throw new ModelFormatException(index, "checkpoint entry '" + key + "' has " + tensor.size()
          + " values, more than one Java array can hold");
    }
    float[] data = new float[(int) tensor.size()];
    tensor.asRawTensor().data().asFloats().read(data);  // bulk copy; copyTo goes value by value
    return new FloatTensor(shape, data);
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage()).strip();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
