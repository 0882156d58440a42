package dev.convlens.bridge.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.io.AtomicFiles;
import dev.convlens.bridge.io.FolderOptions;
import dev.convlens.bridge.io.OutputWriteException;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import dev.convlens.bridge.spi.ModelVariable;
import dev.convlens.bridge.keras.savedmodel.ConvlensExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
  /** An earlier export (a folder with the manifest) is replaced; an empty folder is filled; nothing else. */
  private static final FolderOptions REPLACE_EXPORTS = FolderOptions.defaults().withMarker(MANIFEST).withOverwrite(true);

  private SavedModelExport() {}

  /**
   * Writes to a hidden sibling folder, then moves it into place ({@link AtomicFiles#writeFolder}), so
   * {@code dir} is never half-written. An earlier export there is replaced; an empty folder is
   * filled; anything else is refused before anything is written. A full disk, a read-only file
   * system or a denied permission raises {@link OutputWriteException} naming {@code dir} in one line.
   */
  public static void write(ModelGraph model, Session session, JsonNode config, String inputKey,
      List<String> activationLayers, Path dir) {
    Path target = dir.toAbsolutePath().normalize();
    try {
      AtomicFiles.writeFolder(target, REPLACE_EXPORTS, tmp -> {
        Signature.Builder serving = Signature.builder().key(Signature.DEFAULT_KEY)
            .input(inputKey, model.input());
        serving.output("output_0", model.output());
        Signature.Builder activations = Signature.builder().key("activations")
            .input(inputKey, model.input());
        for (String layer : activationLayers) {
          LayerHandle h = model.layer(layer);
          activations.output(layer, h.output());
        }
        // Created here so that a read-only or full file system fails in Java's words, before
        // TensorFlow's saver reports it as a missing directory.
        Files.createDirectories(tmp.resolve("variables"));
        Files.createDirectories(tmp.resolve("assets"));
        SavedModelBundle.exporter(tmp.toString()).withSession(session)
            .withSignatures(serving.build(), activations.build()).export();
        Files.writeString(tmp.resolve(MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest(model, config)));
      });
    } catch (ConvlensException e) {
      throw e;
    } catch (RuntimeException e) {
      // TensorFlow's errors carry hints on later lines (e.g. about tensor allocation): the first says what failed
      throw new ConvlensException("cannot export model '" + model.modelName() + "' to " + target + ": "
          + firstLine(e), e);
    }
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip().lines().findFirst().orElse("").strip();
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
}
