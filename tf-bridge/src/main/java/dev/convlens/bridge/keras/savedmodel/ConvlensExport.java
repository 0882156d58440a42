package dev.convlens.bridge.keras.savedmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.keras.KerasArtifact;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSource;
import dev.convlens.bridge.keras.WeightSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads convlens' own SavedModel export ({@code export.SavedModelExport} writes it): the Keras config
 * and the variable of each weight from {@value #MANIFEST}, the values from the checkpoint.
 */
public final class ConvlensExport {
  /** Marks a directory as a convlens export. */
  public static final String MANIFEST = "assets/convlens-model.json";
  public static final String FORMAT = "convlens-savedmodel";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ConvlensExport() {}

  /** Reads an export back as a Keras config plus the checkpoint's values. */
  public static KerasArtifact read(Path dir) {
    JsonNode m;
    try {
      m = JSON.readTree(Files.readString(dir.resolve(MANIFEST)));
    } catch (IOException e) {
      throw new ModelFormatException(dir, "cannot read " + MANIFEST + ": " + e.getMessage(), e);
    }
    if (!FORMAT.equals(m.path("format").asText()) || !m.has("model_config")) {
      throw new ModelFormatException(dir, MANIFEST + " is not a convlens export manifest");
    }
    Map<List<String>, List<String>> byLayer = new HashMap<>();
    List<String> all = new ArrayList<>();
    for (JsonNode v : m.path("variables")) {
      List<String> path = new ArrayList<>();
      v.path("layer").forEach(p -> path.add(p.asText()));
      byLayer.computeIfAbsent(List.copyOf(path), k -> new ArrayList<>()).add(v.path("variable").asText());
      all.add(v.path("variable").asText());
    }
    Checkpoint checkpoint = Checkpoint.ofSavedModel(dir);
    WeightSource weights = new WeightSource() {
      private Map<String, FloatArray> values;

      @Override
      public List<WeightArray> weights(List<String> layerPath, String layerClass, List<WeightSpec> expected) {
        if (values == null) {
          values = read(checkpoint, all);
        }
        List<WeightArray> out = new ArrayList<>();
        for (String name : byLayer.getOrDefault(layerPath, List.of())) {
          out.add(new WeightArray(name, values.get(name)));
        }
        return out;
      }
    };
    long[] shape = null;
    if (m.path("input_shape").isArray()) {
      shape = new long[m.path("input_shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = m.path("input_shape").get(i).asLong();
      }
    }
    return new KerasArtifact(m.get("model_config"), weights, dir, "convlens SavedModel export", shape);
  }

  private static Map<String, FloatArray> read(Checkpoint checkpoint, List<String> keys) {
    List<FloatArray> values = checkpoint.readFloats(keys);
    Map<String, FloatArray> out = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      out.put(keys.get(i), values.get(i));
    }
    return out;
  }
}
