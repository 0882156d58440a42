package dev.convlens.bridge.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.LoadLimits;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.io.InputPaths;
import dev.convlens.bridge.keras.savedmodel.ConvlensExport;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads any Keras model file into a {@link KerasArtifact}, deciding the format by content (magic
 * bytes, directory entries), never by file name: HDF5 full model or weights, {@code .keras} zip,
 * {@code model.to_json()} text, Keras SavedModel directory, or convlens' own export.
 */
public final class KerasFiles {
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  private KerasFiles() {}

  /** What a path holds, judged by content. */
  public enum Kind {
    HDF5_MODEL, HDF5_WEIGHTS, KERAS_ZIP, MODEL_JSON, KERAS_SAVED_MODEL, CONVLENS_EXPORT,
    /** A SavedModel without Keras metadata: only its signature can be run ({@code KerasModel.load} does, for predict). */
    TF_SAVED_MODEL
  }

  public static Kind detect(Path path) {
    String problem = InputPaths.problem(path, true);
    if (problem != null) {
      throw new ModelFormatException(path, problem);
    }
    if (Files.isDirectory(path)) {
      if (Files.isRegularFile(path.resolve(ConvlensExport.MANIFEST))) {
        return Kind.CONVLENS_EXPORT;
      }
      if (Files.isRegularFile(path.resolve("keras_metadata.pb"))) {
        return Kind.KERAS_SAVED_MODEL;
      }
      if (Files.isRegularFile(path.resolve("saved_model.pb"))) {
        return Kind.TF_SAVED_MODEL;
      }
      throw new ModelFormatException(path, "directory is neither a Keras SavedModel (keras_metadata.pb)"
          + " nor a convlens export (" + ConvlensExport.MANIFEST + ")");
    }
    byte[] head = head(path, 64);
    if (head.length == 0) {
      throw new ModelFormatException(path, "empty file");
    }
    if (startsWith(head, Hdf5.MAGIC)) {
      try (HdfFile h = Hdf5.open(path)) {
        return h.getAttribute("model_config") != null ? Kind.HDF5_MODEL : Kind.HDF5_WEIGHTS;
      } catch (RuntimeException e) {
        throw Hdf5.corrupt(path, "its root attributes", e);
      }
    }
    if (startsWith(head, ZIP_MAGIC)) {
      return Kind.KERAS_ZIP;
    }
    String text = new String(head, StandardCharsets.UTF_8).stripLeading();
    if (text.startsWith("{")) {
      return Kind.MODEL_JSON;
    }
    throw new ModelFormatException(path, "unknown format: expected a Keras HDF5 file, a .keras zip, a model JSON,"
        + " or a SavedModel directory");
  }

  /** As {@link #read(Path, Path, LoadLimits)} with the default limits. */
  public static KerasArtifact read(Path path, @Nullable Path weights) {
    return read(path, weights, LoadLimits.defaults());
  }

  /**
   * Reads a model. {@code weights}, when not null, is a weights-only HDF5 file supplying the
   * weights (for an architecture JSON, or to replace a model file's own weights).
   */
  public static KerasArtifact read(Path path, @Nullable Path weights, LoadLimits limits) {
    if (weights != null) {
      // Refuse a pipe or a missing weights file before the model is read at all.
      String problem = InputPaths.problem(weights, false);
      if (problem != null) {
        throw new ModelFormatException(weights, problem);
      }
    }
    KerasArtifact a = readModel(path, limits);
    if (weights == null) {
      return a;
    }
    a.weights().close();
    return new KerasArtifact(a.modelConfig(), weightsFile(weights, path), path,
        a.formatDescription() + " + weights " + weights.getFileName(), a.inputShape());
  }

  /** The weights of a Keras HDF5 file (save_weights, an official application file, or a full model). */
  public static WeightSource weightsFile(Path weights) {
    return weightsFile(weights, null);
  }

  /**
   * As {@link #weightsFile(Path)}, for the model read from {@code model}: weights whose shapes differ
   * from its config are reported against {@code model}, the weights file named beside it.
   */
  static WeightSource weightsFile(Path weights, @Nullable Path model) {
    Kind k = detect(weights);
    if (k != Kind.HDF5_WEIGHTS && k != Kind.HDF5_MODEL) {
      throw new ModelFormatException(weights, "a weights file must be Keras HDF5 (save_weights or model.save), found " + k);
    }
    HdfFile h = Hdf5.open(weights);
    try {
      if (k == Kind.HDF5_WEIGHTS) {
        return new Hdf5Weights(h, h, weights, model);
      }
      if (Hdf5.child(h, "model_weights", weights) instanceof Group root) {
        return new Hdf5Weights(h, root, weights, model);
      }
      throw new ModelFormatException(weights, "HDF5 model file has model_config but no model_weights group");
    } catch (RuntimeException e) {
      h.close();
      throw Hdf5.corrupt(weights, "model_weights", e);
    }
  }

  private static KerasArtifact readModel(Path path, LoadLimits limits) {
    return switch (detect(path)) {
      case HDF5_MODEL -> hdf5Model(path);
      case HDF5_WEIGHTS -> throw new ModelFormatException(path, "a weights-only HDF5 file holds no architecture:"
          + " load it together with the model JSON (model.to_json()) or a built-in architecture (vgg16, mobilenet)");
      case KERAS_ZIP -> KerasZip.read(path, limits);
      case MODEL_JSON -> modelJson(path, limits);
      case KERAS_SAVED_MODEL -> dev.convlens.bridge.keras.savedmodel.KerasSavedModelReader.read(path, limits);
      case CONVLENS_EXPORT -> ConvlensExport.read(path, limits);
      case TF_SAVED_MODEL -> throw new ModelFormatException(path, "a TensorFlow SavedModel without Keras metadata (no"
          + " keras_metadata.pb): its layers cannot be rebuilt, only its signature run (KerasModel.load does, for"
          + " predict); for layers, save the model from Keras (model.save) or give its .h5/.keras file");
    };
  }

  private static KerasArtifact hdf5Model(Path path) {
    HdfFile h = Hdf5.open(path);
    try {
      String config = Hdf5.stringAttribute(h, "model_config");
      String version = Hdf5.stringAttribute(h, "keras_version");
      String backend = Hdf5.stringAttribute(h, "backend");
      if ("theano".equals(backend)) {
        throw new ModelFormatException(path, "saved with the theano backend (channels_first kernels flipped for"
            + " convolution); only TensorFlow-backend Keras files are supported");
      }
      if (version != null && version.startsWith("1.")) {
        // Keras 1 configs use other argument names (nb_filter, border_mode, dim_ordering, ...).
        throw new ModelFormatException(path, "saved by Keras " + version + "; Keras 1 files are not supported:"
            + " load and re-save the model with Keras 2 or later");
      }
      if (config == null) {
        throw new ModelFormatException(path, "HDF5 model file's model_config attribute holds no text");
      }
      if (!(Hdf5.child(h, "model_weights", path) instanceof Group weights)) {
        throw new ModelFormatException(path, "HDF5 model file has model_config but no model_weights group");
      }
      JsonNode json = ModelConfigParser.readJson(config, path);
      return new KerasArtifact(json, new Hdf5Weights(h, weights, path, null), path,
          "Keras " + (version == null ? "?" : version) + " HDF5 model");
    } catch (RuntimeException e) {
      h.close();
      throw e instanceof ModelFormatException ? e : new ModelFormatException(path, Objects.toString(e.getMessage(), e.toString()), e);
    }
  }

  private static KerasArtifact modelJson(Path path, LoadLimits limits) {
    byte[] text = BoundedRead.file(path, limits.maxConfigBytes(), "model JSON", "LoadLimits.maxConfigBytes");
    JsonNode json = ModelConfigParser.readJson(text, path, "model config");
    refuseTensorFlowJs(json, path);
    return new KerasArtifact(json, WeightSource.NONE, path, "Keras model JSON (architecture only)");
  }

  /** A TF.js {@code model.json} is JSON too: name it, and say how to get a Keras file back. */
  private static void refuseTensorFlowJs(JsonNode json, Path path) {
    if (!json.isObject() || !(json.has("modelTopology") || json.has("weightsManifest"))) {
      return;
    }
    JsonNode format = json.get("format");
    boolean graphModel = format != null && "graph-model".equals(format.textValue())
        || json.path("modelTopology").has("node");
    throw new ModelFormatException(path, graphModel
        ? "a TensorFlow.js graph model: it holds a frozen TensorFlow graph, not Keras layers; load the Keras model it"
            + " was converted from"
        : "a TensorFlow.js layers model: convert it back to Keras first (tensorflowjs_converter"
            + " --input_format=tfjs_layers_model --output_format=keras model.json model.h5)");
  }

  private static byte[] head(Path path, int n) {
    try (InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(n);
    } catch (IOException e) {
      throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
    }
  }

  private static boolean startsWith(byte[] a, byte[] prefix) {
    if (a.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (a[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
