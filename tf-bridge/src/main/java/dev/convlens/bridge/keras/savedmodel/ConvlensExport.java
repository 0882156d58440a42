package dev.convlens.bridge.keras.savedmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.LoadLimits;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.io.InputPaths;
import dev.convlens.bridge.keras.BoundedRead;
import dev.convlens.bridge.keras.KerasArtifact;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSource;
import dev.convlens.bridge.keras.WeightSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.tensorflow.proto.DataType;

/**
 * Reads convlens' own SavedModel export ({@code export.SavedModelExport} writes it): the Keras config
 * and the variable of each weight from {@value #MANIFEST}, the values from the checkpoint.
 */
public final class ConvlensExport {
  /** Marks a directory as a convlens export. */
  public static final String MANIFEST = "assets/convlens-model.json";
  public static final String FORMAT = "convlens-savedmodel";
  /** The manifest version this reader understands (what {@code SavedModelExport} writes). */
  public static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ConvlensExport() {}

  /** Reads an export back as a Keras config plus the checkpoint's values. */
  public static KerasArtifact read(Path dir) {
    return read(dir, LoadLimits.defaults());
  }

  /** As {@link #read(Path)}, reading no more than {@code limits} allow. */
  public static KerasArtifact read(Path dir, LoadLimits limits) {
    Path manifest = dir.resolve(MANIFEST);
    String problem = InputPaths.problem(manifest, false);
    if (problem != null) {
      throw new ModelFormatException(dir, MANIFEST + ": " + problem);
    }
    JsonNode m;
    try {
      m = JSON.readTree(BoundedRead.file(manifest, limits.maxConfigBytes(), MANIFEST, "LoadLimits.maxConfigBytes"));
    } catch (IOException e) {
      throw new ModelFormatException(dir, MANIFEST + " is not valid JSON: " + e.getMessage(), e);
    }
    if (m == null || !FORMAT.equals(m.path("format").asText()) || !m.path("model_config").isObject()) {
      throw new ModelFormatException(dir, MANIFEST + " is not a convlens export manifest (expected \"format\": \""
          + FORMAT + "\" and a \"model_config\" object)");
    }
    JsonNode version = m.get("version");
    if (version != null && !(version.isIntegralNumber() && version.asLong() == VERSION)) {
      throw new ModelFormatException(dir, MANIFEST + " has \"version\": " + version + "; this convlens reads version "
          + VERSION + " (the export was written by another convlens version)");
    }
    Map<List<String>, List<String>> byLayer = new HashMap<>();
    List<String> all = new ArrayList<>();
    for (JsonNode v : m.path("variables")) {
      List<String> path = new ArrayList<>();
      v.path("layer").forEach(p -> path.add(p.asText()));
      String variable = v.path("variable").asText("");
      if (path.isEmpty() || variable.isEmpty()) {
        throw new ModelFormatException(dir, MANIFEST + ": a \"variables\" entry lacks its \"layer\" path or"
            + " \"variable\" name: " + v);
      }
      byLayer.computeIfAbsent(List.copyOf(path), k -> new ArrayList<>()).add(variable);
      all.add(variable);
    }
    Checkpoint checkpoint = Checkpoint.ofSavedModel(dir, limits);
    WeightSource weights = new WeightSource() {
      private @Nullable Map<String, FloatTensor> values;

      @Override
      public List<WeightArray> weights(List<String> layerPath, String layerClass, List<WeightSpec> expected) {
        List<String> names = byLayer.getOrDefault(layerPath, List.of());
        checkShapes(dir, checkpoint, layerPath, layerClass, names, expected);
        if (values == null) {
          values = read(dir, checkpoint, all, limits);
        }
        List<WeightArray> out = new ArrayList<>();
        for (String name : names) {
          out.add(new WeightArray(name, Objects.requireNonNull(values.get(name))));
        }
        return out;
      }
    };
    return new KerasArtifact(m.get("model_config"), weights, dir, "convlens SavedModel export", inputShape(dir, m));
  }

  /** The per-sample input shape the export recorded: sizes, or -1 where the model takes any. */
  private static long @Nullable [] inputShape(Path dir, JsonNode m) {
    JsonNode s = m.path("input_shape");
    if (!s.isArray()) {
      return null;
    }
    long[] shape = new long[s.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = s.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() == 0 || d.asInt() < -1) {
        throw new ModelFormatException(dir, MANIFEST + ": \"input_shape\" " + s + " must hold positive ints"
            + " (or -1 for any size)");
      }
      shape[i] = d.asLong();
    }
    return shape;
  }

  /** The declared shapes of a layer's variables against its config's, before any value is restored. */
  private static void checkShapes(Path dir, Checkpoint checkpoint, List<String> layerPath, String layerClass,
      List<String> names, List<WeightSpec> expected) {
    String layer = "layer '" + String.join("/", layerPath) + "' (" + layerClass + ")";
    if (names.isEmpty()) {
      return;
    }
    if (names.size() != expected.size()) {
      throw new ModelFormatException(dir, layer + ": the export holds " + names.size() + " weights " + names
          + " but the config implies " + expected.size() + ": " + expected);
    }
    for (int i = 0; i < names.size(); i++) {
      long[] stored = checkpoint.entry(names.get(i), DataType.DT_FLOAT).shape();
      if (!Arrays.equals(stored, expected.get(i).shape())) {
        throw new ModelFormatException(dir, layer + ": variable '" + names.get(i) + "' has shape "
            + Arrays.toString(stored) + " but the config implies " + expected.get(i));
      }
    }
  }

  /** All the export's variables at once (one restore); their declared sizes are checked first. */
  private static Map<String, FloatTensor> read(Path dir, Checkpoint checkpoint, List<String> keys, LoadLimits limits) {
    long bytes = 0;
    for (String key : keys) {
      bytes += checkpoint.entry(key, DataType.DT_FLOAT).size();
      if (bytes > limits.maxWeightBytes()) {
        throw BoundedRead.tooLarge(dir, "the export's checkpoint", "more than " + bytes + " bytes of weights",
            limits.maxWeightBytes(), "LoadLimits.maxWeightBytes");
      }
    }
    List<FloatTensor> values = checkpoint.readFloats(keys);
    Map<String, FloatTensor> out = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      out.put(keys.get(i), values.get(i));
    }
    return out;
  }
}
