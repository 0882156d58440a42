package dev.convlens.bridge.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.io.AtomicFiles;
import dev.convlens.bridge.keras.ModelConfigParser;
import dev.convlens.bridge.spi.ModelGraph;
import dev.convlens.bridge.spi.ModelVariable;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import io.jhdf.api.WritableNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a model with its current weights as a Keras 2 full-model HDF5 file ({@code model.save('x.h5')}
 * layout, loadable by {@code keras.models.load_model} and by convlens): root attributes
 * {@code keras_version}, {@code backend}, {@code model_config}; group {@code model_weights} with
 * {@code layer_names}; per layer a group with {@code weight_names} and datasets
 * {@code model_weights/<layer>/<layer>/kernel:0} (a nested model's group holds
 * {@code <sublayer>/kernel:0} for all its layers, trainable weights first, as Keras 2 orders them).
 *
 * <p>Two differences from files Keras writes, neither visible to Keras' loader: layers without
 * weights are left out of {@code layer_names} (Keras skips them when loading anyway; jhdf 0.9.4
 * cannot write their empty {@code weight_names} arrays), and strings are fixed-length, which jhdf
 * stores inline, so the config must stay under about 59 KB. No {@code training_config}: Keras loads
 * the model uncompiled.
 */
public final class KerasH5Export {
  /** The Keras version written into the file: the last Keras 2 whose layout this is. */
  public static final String KERAS_VERSION = "2.15.0";

  private KerasH5Export() {}

  /**
   * Writes {@code model}'s current weights under {@code modelConfig}, which must describe the same
   * layers (e.g. the model's config with changed {@code trainable} flags). Atomic: the file is
   * written beside {@code file} and moved into place ({@link AtomicFiles#write}); a failed write
   * raises {@code OutputWriteException} naming the file and the cause (full disk, read-only, ...).
   */
  public static void write(ModelGraph model, JsonNode modelConfig, Path file) {
    Path target = file.toAbsolutePath().normalize();
    Map<List<String>, List<ModelVariable>> byLayer = new LinkedHashMap<>();
    for (ModelVariable v : model.variables()) {
      byLayer.computeIfAbsent(v.layerPath(), k -> new ArrayList<>()).add(v);
    }
    List<LayerGroup> groups = groups(modelConfig, byLayer, target);
    Map<ModelVariable, FloatTensor> values = model.readVariables(model.variables());
    String config = modelConfig.toString();
    requireInline(target, "model_config", config.getBytes(StandardCharsets.UTF_8).length);
    try {
      AtomicFiles.write(target, tmp -> {
        try (WritableHdfFile h5 = JhdfFiles.create(tmp)) {
          h5.putAttribute("keras_version", KERAS_VERSION);
          h5.putAttribute("backend", "tensorflow");
          h5.putAttribute("model_config", config);
          WritableGroup weights = h5.putGroup("model_weights");
          putStrings(target, weights, "layer_names", groups.stream().map(LayerGroup::name).toList());
          for (LayerGroup g : groups) {
            WritableGroup layer = weights.putGroup(g.name());
            List<String> names = new ArrayList<>();
            for (int i = 0; i < g.variables().size(); i++) {
              ModelVariable v = g.variables().get(i);
              String inner = g.innerNames().get(i);
              names.add(inner + "/" + v.spec().name() + ":0");
              putFloats(child(layer, inner), v.spec().name() + ":0", Objects.requireNonNull(values.get(v)));
            }
            putStrings(target, layer, "weight_names", names);
          }
          weights.putAttribute("backend", "tensorflow");
          weights.putAttribute("keras_version", KERAS_VERSION);
        }
      });
    } catch (ConvlensException e) {
      throw e; // including OutputWriteException: a full disk, read-only file system, denied permission
    } catch (IOException | RuntimeException e) {
      throw AtomicFiles.failure(target, e); // one line naming the file and the first line of the cause
    }
  }

  /** One top-level layer's group: its variables in Keras 2 save order and the sublayer name each sits under. */
  private record LayerGroup(String name, List<ModelVariable> variables, List<String> innerNames) {}

  private static List<LayerGroup> groups(JsonNode modelConfig, Map<List<String>, List<ModelVariable>> byLayer, Path file) {
    List<LayerGroup> groups = new ArrayList<>();
    Set<ModelVariable> written = new HashSet<>();
    for (JsonNode layer : layerList(modelConfig, file)) {
      String name = layerName(layer);
      List<ModelVariable> trainable = new ArrayList<>();
      List<String> trainableInner = new ArrayList<>();
      List<ModelVariable> other = new ArrayList<>();
      List<String> otherInner = new ArrayList<>();
      if (ModelConfigParser.MODEL_CLASSES.contains(layer.path("class_name").asText())) {
        collectNested(layer, List.of(name), true, byLayer, file, trainable, trainableInner, other, otherInner);
      } else {
        for (ModelVariable v : byLayer.getOrDefault(List.of(name), List.of())) {
          trainable.add(v);
          trainableInner.add(name);
        }
      }
      trainable.addAll(other);
      trainableInner.addAll(otherInner);
      if (!trainable.isEmpty()) {
        groups.add(new LayerGroup(name, List.copyOf(trainable), List.copyOf(trainableInner)));
        written.addAll(trainable);
      }
    }
    for (List<ModelVariable> vs : byLayer.values()) {
      for (ModelVariable v : vs) {
        if (!written.contains(v)) {
          throw new ConvlensException("cannot write " + file + ": variable '" + v.name() + "' of layer '" + v.layer()
              + "' has no layer in the model config");
        }
      }
    }
    return groups;
  }

  /**
   * Keras 2 saves a nested model's {@code trainable_weights + non_trainable_weights}: every
   * trainable weight of every sublayer first, then moving statistics and frozen layers' weights.
   */
  private static void collectNested(JsonNode model, List<String> path, boolean parentTrainable,
      Map<List<String>, List<ModelVariable>> byLayer, Path file, List<ModelVariable> trainable, List<String> trainableInner,
      List<ModelVariable> other, List<String> otherInner) {
    boolean modelTrainable = parentTrainable && model.path("config").path("trainable").asBoolean(true);
    for (JsonNode sub : layerList(model, file)) {
      String name = layerName(sub);
      List<String> subPath = new ArrayList<>(path);
      subPath.add(name);
      boolean subTrainable = modelTrainable && sub.path("config").path("trainable").asBoolean(true);
      if (ModelConfigParser.MODEL_CLASSES.contains(sub.path("class_name").asText())) {
        collectNested(sub, subPath, modelTrainable, byLayer, file, trainable, trainableInner, other, otherInner);
        continue;
      }
      for (ModelVariable v : byLayer.getOrDefault(subPath, List.of())) {
        boolean isTrainable = subTrainable && v.spec().trainable();
        (isTrainable ? trainable : other).add(v);
        (isTrainable ? trainableInner : otherInner).add(name);
      }
    }
  }

  private static List<JsonNode> layerList(JsonNode model, Path file) {
    JsonNode config = model.path("config");
    JsonNode layers = config.isArray() ? config : config.path("layers");
    if (!layers.isArray()) {
      throw new ConvlensException("cannot write " + file + ": model config of class '" + model.path("class_name").asText()
          + "' has no layer list");
    }
    List<JsonNode> out = new ArrayList<>();
    layers.forEach(out::add);
    return out;
  }

  private static String layerName(JsonNode layer) {
    String n = layer.path("config").path("name").asText(null);
    return n != null ? n : layer.path("name").asText();
  }

  private static WritableGroup child(WritableGroup parent, String name) {
    Node existing = parent.getChild(name);
    return existing instanceof WritableGroup g ? g : parent.putGroup(name);
  }

  /** A list of strings as one fixed-length string array attribute, as Keras stores short lists. */
  private static void putStrings(Path file, WritableNode node, String name, List<String> values) {
    int longest = values.stream().mapToInt(v -> v.getBytes(StandardCharsets.UTF_8).length).max().orElse(0);
    requireInline(file, name, (long) longest * values.size());
    node.putAttribute(name, values.toArray(String[]::new));
  }

  private static void requireInline(Path file, String attribute, long bytes) {
    if (bytes > JhdfFiles.ATTRIBUTE_LIMIT) {
      throw new ConvlensException("cannot write " + file + ": attribute '" + attribute + "' needs " + bytes
          + " bytes, more than the HDF5 writer (jhdf 0.9.4) can store inline (" + JhdfFiles.ATTRIBUTE_LIMIT
          + "); export a SavedModel instead");
    }
  }

  private static void putFloats(WritableGroup group, String name, FloatTensor a) {
    group.putDataset(name, JhdfFiles.javaArray(a));
  }
}
