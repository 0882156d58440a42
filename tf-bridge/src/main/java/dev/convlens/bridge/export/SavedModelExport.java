package dev.convlens.bridge.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.graph.LayerHandle;
import dev.convlens.bridge.graph.ModelVariable;
import dev.convlens.bridge.keras.KerasArtifact;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSource;
import dev.convlens.bridge.keras.WeightSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;

/**
 * convlens' SavedModel: a standard TF SavedModel (signatures {@code serving_default}: input to
 * predictions, and {@code activations}: input to layer outputs; weights as VariableV2) plus
 * {@value #MANIFEST}, the Keras config and the variable of each weight, so that loading it rebuilds
 * the same Java-op graph (gradients work) instead of using the frozen one.
 */
public final class SavedModelExport {
  /** Marks a directory as a convlens export. */
  public static final String MANIFEST = "assets/convlens-model.json";
  static final String FORMAT = "convlens-savedmodel";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SavedModelExport() {}

  /** Writes to a sibling temporary directory, then moves it into place, so {@code dir} is never half-written. */
  public static void write(KerasModel model, Path dir, List<String> activationLayers) {
    Path target = dir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
    requireReplaceable(target);  // before writing anything; replace() checks again after
    try {
      Files.createDirectories(parent);
      Signature.Builder serving = Signature.builder().key(Signature.DEFAULT_KEY)
          .input(inputKey(model), model.inputPlaceholder());
      serving.output(outputKey(model), model.output());
      Signature.Builder activations = Signature.builder().key("activations")
          .input(inputKey(model), model.inputPlaceholder());
      for (String layer : activationLayers) {
        LayerHandle h = model.handle(layer);
        activations.output(layer, h.output());
      }
      SavedModelBundle.exporter(tmp.toString()).withSession(model.session())
          .withSignatures(serving.build(), activations.build()).export();
      Files.createDirectories(tmp.resolve("assets"));
      Files.writeString(tmp.resolve(MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest(model)));
      replace(tmp, target);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      if (e instanceof ConvlensException c) {
        throw c;
      }
      throw new ConvlensException("cannot export model '" + model.name() + "' to " + target + ": " + e.getMessage(), e);
    }
  }

  static String inputKey(KerasModel model) {
    return model.layers().get(0).name();
  }

  static String outputKey(KerasModel model) {
    return "output_0";
  }

  private static ObjectNode manifest(KerasModel model) {
    ObjectNode m = JSON.createObjectNode();
    m.put("format", FORMAT);
    m.put("version", 1);
    ArrayNode shape = m.putArray("input_shape");
    long[] in = model.inputShape();
    for (int i = 1; i < in.length; i++) {
      shape.add(in[i]);
    }
    m.set("model_config", model.config());
    ArrayNode vars = m.putArray("variables");
    for (ModelVariable v : model.variables()) {
      ObjectNode o = vars.addObject();
      ArrayNode path = o.putArray("layer");
      v.layerPath().forEach(path::add);
      o.put("weight", v.spec().name());
      o.put("variable", v.name());
    }
    return m;
  }

  /** Moves {@code tmp} to {@code target}; an existing export there is replaced only after the move succeeds. */
  private static void replace(Path tmp, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      requireReplaceable(target);
      old = target.resolveSibling("." + target.getFileName() + ".old-" + Long.toHexString(System.nanoTime()));
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (old != null) {
        Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
      }
      throw e;
    }
    if (old != null) {
      deleteTree(old);
    }
  }

  private static void requireReplaceable(Path target) {
    if (Files.exists(target) && (!Files.isDirectory(target) || !Files.exists(target.resolve(MANIFEST)))) {
      throw new ConvlensException(target + " exists and is not a convlens export: refusing to replace it");
    }
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a leftover temporary directory is hidden and harmless
    }
  }

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
    Path prefix = dir.resolve("variables").resolve("variables");
    WeightSource weights = new WeightSource() {
      private Map<String, FloatArray> values;

      @Override
      public List<WeightArray> weights(List<String> layerPath, String layerClass, List<WeightSpec> expected) {
        if (values == null) {
          values = CheckpointReader.read(prefix, all);
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
}
