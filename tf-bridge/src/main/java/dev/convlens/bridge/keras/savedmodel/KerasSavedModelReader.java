package dev.convlens.bridge.keras.savedmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.LoadLimits;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.keras.KerasArtifact;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;

/**
 * Reads a Keras TF2 SavedModel directory ({@code model.save(dir)} in tf.keras 2.5 to 2.15) as a
 * {@link KerasArtifact}: the model config from {@code keras_metadata.pb} and the weights from the
 * {@code variables/} checkpoint. The TF graph in {@code saved_model.pb} is not used: gradients
 * through it fail in TF Java, so the graph is rebuilt from the config.
 */
public final class KerasSavedModelReader {
  static final String SAVED_MODEL_FILE = "saved_model.pb";

  private KerasSavedModelReader() {}

  /** True for a directory holding a {@code saved_model.pb}, Keras or not ({@link #read} tells them apart). */
  public static boolean looksLike(@Nullable Path dir) {
    return dir != null && Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(SAVED_MODEL_FILE));
  }

  /**
   * Reads the config eagerly and indexes the checkpoint; weight values are restored per layer when
   * asked for.
   *
   * @throws ModelFormatException if {@code dir} is not a SavedModel directory, is a plain TF
   *     SavedModel without Keras metadata, or has missing or corrupt files (the file is named)
   */
  public static KerasArtifact read(Path dir) {
    return read(dir, LoadLimits.defaults());
  }

  /** As {@link #read(Path)}, reading no more than {@code limits} allow. */
  public static KerasArtifact read(Path dir, LoadLimits limits) {
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException(dir, "not a directory; a SavedModel is a directory with "
          + SAVED_MODEL_FILE + ", " + KerasMetadata.FILE_NAME + " and variables/");
    }
    Path metadataFile = dir.resolve(KerasMetadata.FILE_NAME);
    if (!Files.isRegularFile(metadataFile)) {
      throw notKeras(dir);
    }
    List<KerasMetadata.Node> nodes = KerasMetadata.read(metadataFile, limits);
    KerasMetadata.Node root = nodes.stream().filter(KerasMetadata.Node::isRoot).findFirst().orElseThrow();
    JsonNode modelConfig = modelConfig(root, metadataFile);
    CheckpointWeights weights = CheckpointWeights.index(dir, Checkpoint.ofSavedModel(dir, limits), nodes);
    return new KerasArtifact(modelConfig, weights, dir, describe(root.metadata()));
  }

  /**
   * The {@code model.to_json()} shape built from the root object's metadata, which holds the
   * model's {@code class_name} and {@code get_config()} (and, in 2.x, the same pair again as
   * {@code model_config}).
   */
  private static JsonNode modelConfig(KerasMetadata.Node root, Path metadataFile) {
    JsonNode metadata = root.metadata();
    JsonNode className = metadata.get("class_name");
    JsonNode config = metadata.get("config");
    if ((className == null || config == null || !config.isObject()) && metadata.path("model_config").isObject()) {
      className = metadata.get("model_config").get("class_name");
      config = metadata.get("model_config").get("config");
    }
    if (className == null || !className.isTextual() || config == null || !config.isObject()) {
      throw new ModelFormatException(metadataFile, "the root object ('" + root.identifier() + "', class "
          + metadata.path("class_name").asText("?") + ") has no model config; a subclassed Keras model "
          + "without get_config() cannot be rebuilt");
    }
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.set("class_name", className);
    json.set("config", decodeTuples(config));
    for (String extra : List.of("keras_version", "backend")) {
      if (metadata.hasNonNull(extra)) {
        json.set(extra, metadata.get(extra));
      }
    }
    return json;
  }

  /**
   * keras_metadata.pb writes tuples as {@code {"class_name": "__tuple__", "items": [...]}} (Keras'
   * json_utils.Encoder) where {@code model.to_json()} writes plain lists; Keras' decoder turns
   * them back into tuples, so do the same (batch_input_shape, kernel_size, strides, ...).
   */
  static JsonNode decodeTuples(JsonNode node) {
    if (node.isObject()) {
      if ("__tuple__".equals(node.path("class_name").asText()) && node.path("items").isArray()) {
        return decodeTuples(node.get("items"));
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      node.fields().forEachRemaining(e -> out.set(e.getKey(), decodeTuples(e.getValue())));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(c -> out.add(decodeTuples(c)));
      return out;
    }
    return node;
  }

  /** "Keras SavedModel (tf.keras 2.10)"; the version is what saved the file. */
  private static String describe(JsonNode rootMetadata) {
    String version = rootMetadata.path("keras_version").asText("");
    if (version.isEmpty()) {
      return "Keras SavedModel";
    }
    String[] parts = version.split("\\.");
    return "Keras SavedModel (tf.keras " + (parts.length >= 2 ? parts[0] + "." + parts[1] : version) + ")";
  }

  /** Names the signatures a caller could still use, when saved_model.pb can be parsed. */
  private static ModelFormatException notKeras(Path dir) {
    Path savedModel = dir.resolve(SAVED_MODEL_FILE);
    if (!Files.isRegularFile(savedModel)) {
      return new ModelFormatException(dir, "not a SavedModel directory: neither " + KerasMetadata.FILE_NAME
          + " nor " + SAVED_MODEL_FILE + " found");
    }
    String signatures;
    try (InputStream in = Files.newInputStream(savedModel)) {
      Set<String> names = new TreeSet<>();
      for (MetaGraphDef metaGraph : SavedModel.parseFrom(in).getMetaGraphsList()) {
        names.addAll(metaGraph.getSignatureDefMap().keySet());
      }
      signatures = " Its signatures " + names + " can still be called as a SavedModel.";
    } catch (IOException e) {
      signatures = " (" + SAVED_MODEL_FILE + " itself could not be parsed: " + e.getMessage() + ")";
    }
    return new ModelFormatException(dir, "plain TensorFlow SavedModel without Keras metadata ("
        + KerasMetadata.FILE_NAME + " is missing): its layers cannot be rebuilt, so activations, "
        + "gradients and fine-tuning are not available." + signatures);
  }
}
