package dev.convlens.bridge.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import dev.convlens.bridge.spi.ModelVariable;
import dev.convlens.bridge.keras.savedmodel.ConvlensExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * convlens' SavedModel: a standard TF SavedModel (signatures {@code serving_default}: input to
 * predictions, and {@code activations}: input to layer outputs; weights as VariableV2) plus
 * {@value #MANIFEST}, the Keras config and the variable of each weight, so that loading it rebuilds
 * the same Java-op graph (gradients work) instead of using the frozen one.
 */
public final class SavedModelExport {
  private static final String MANIFEST = ConvlensExport.MANIFEST;
  private static final ObjectMapper JSON = new ObjectMapper();

  private SavedModelExport() {}

  /** Writes to a sibling temporary directory, then moves it into place, so {@code dir} is never half-written. */
  public static void write(ModelGraph model, Session session, JsonNode config, String inputKey,
      List<String> activationLayers, Path dir) {
    Path target = dir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
    requireReplaceable(target);  // before writing anything; replace() checks again after
    try {
      Files.createDirectories(parent);
      Signature.Builder serving = Signature.builder().key(Signature.DEFAULT_KEY)
          .input(inputKey, model.input());
      serving.output("output_0", model.output());
      Signature.Builder activations = Signature.builder().key("activations")
          .input(inputKey, model.input());
      for (String layer : activationLayers) {
        LayerHandle h = model.layer(layer);
        activations.output(layer, h.output());
      }
      SavedModelBundle.exporter(tmp.toString()).withSession(session)
          .withSignatures(serving.build(), activations.build()).export();
      Files.createDirectories(tmp.resolve("assets"));
      Files.writeString(tmp.resolve(MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest(model, config)));
      replace(tmp, target);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      if (e instanceof ConvlensException c) {
        throw c;
      }
      throw new ConvlensException("cannot export model '" + model.modelName() + "' to " + target + ": " + e.getMessage(), e);
    }
  }

  private static ObjectNode manifest(ModelGraph model, JsonNode config) {
    ObjectNode m = JSON.createObjectNode();
    m.put("format", ConvlensExport.FORMAT);
    m.put("version", 1);
    ArrayNode shape = m.putArray("input_shape");
    long[] in = model.input().shape().asArray();
    for (int i = 1; i < in.length; i++) {
      shape.add(in[i]);
    }
    m.set("model_config", config);
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
}
