package dev.convlens.bridge.keras;

import dev.convlens.bridge.ModelFormatException;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfInvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Weights of a {@code .keras} zip's {@code model.weights.h5}: {@code layers/<obj>/vars/<i>}, where
 * {@code <obj>} is not the layer's config name but its snake_case class name, numbered per
 * container in layer order ({@code conv2d}, {@code conv2d_1}, ...) as Keras' saving_lib writes it.
 */
final class KerasZipWeights implements WeightSource {
  private final HdfFile file;
  private final Path path;
  private final @Nullable Path extracted;
  private final boolean inPlace;
  private final Map<List<String>, String> objectPaths = new HashMap<>();

  /**
   * {@code extracted} is the temporary copy of a compressed model.weights.h5 that {@link #close()}
   * deletes, or null when the weights are read in place from the zip.
   */
  KerasZipWeights(HdfFile file, @Nullable Path extracted, boolean inPlace, ModelSpec spec, Path path) {
    this.file = file;
    this.extracted = extracted;
    this.inPlace = inPlace;
    this.path = path;
    index(spec, List.of(), "");
  }

  private void index(ModelSpec spec, List<String> prefix, String container) {
    Map<String, Integer> used = new HashMap<>();
    for (LayerNode layer : spec.layers()) {
      // A functional model's Python class is Functional even where an older config says "Model".
      String base = layer.className().equals("Model") ? "functional" : snakeCase(layer.className());
      Integer k = used.merge(base, 0, (a, b) -> a + 1);
      String obj = container + "layers/" + (k == 0 ? base : base + "_" + k);
      List<String> layerPath = new ArrayList<>(prefix);
      layerPath.add(layer.name());
      objectPaths.put(List.copyOf(layerPath), obj);
      if (layer.isModel()) {
        index(Objects.requireNonNull(layer.nested()), layerPath, obj + "/");
      }
    }
  }

  /** Keras' {@code naming.to_snake_case}. */
  static String snakeCase(String name) {
    String s = name.replaceAll("\\W+", "");
    s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
    s = s.replaceAll("([a-z])([A-Z])", "$1_$2");
    return s.toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public List<WeightArray> weights(List<String> layerPath, String layerClass, List<WeightSpec> expected) {
    try {
      return read(layerPath, new WeightCheck(path, null, layerPath, layerClass), expected);
    } catch (RuntimeException e) {
      throw Hdf5.corrupt(path, "model.weights.h5, the weights of layer '" + String.join("/", layerPath) + "'", e);
    }
  }

  private List<WeightArray> read(List<String> layerPath, WeightCheck check, List<WeightSpec> expected) {
    String obj = objectPaths.get(layerPath);
    Node vars = obj == null ? null : find(obj + "/vars");
    if (vars == null) {
      vars = find("layers/" + layerPath.get(layerPath.size() - 1) + "/vars");
    }
    if (!(vars instanceof Group g)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; g.getChild(Integer.toString(i)) != null; i++) {
      names.add(g.getPath() + i);
    }
    if (names.isEmpty()) {
      return List.of();
    }
    check.count(names, expected);
    List<WeightArray> out = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      Node d = g.getChild(Integer.toString(i));
      if (d.isLink() || !(d instanceof Dataset ds)) {
        throw new ModelFormatException(path, "model.weights.h5: " + names.get(i) + " is not a dataset");
      }
      out.add(new WeightArray(names.get(i), check.read(ds, names.get(i), expected.get(i))));
    }
    return out;
  }

  /** The node at {@code p}, or null when there is none; a corrupt file still fails (in {@link #weights}). */
  private @Nullable Node find(String p) {
    try {
      Node n = Hdf5.child(file, p, path);
      if (n == null && p.endsWith("/vars")) {
        // Keras 2.14/2.15 on Windows joined object paths with os.path.join: one root group named
        // "layers\\dense" (backslashes in the name) holding "vars".
        String object = p.substring(0, p.length() - "/vars".length()).replace('/', '\\');
        Node group = file.getChild(object);
        n = group == null || group.isLink() ? null : Hdf5.child((io.jhdf.api.Group) group, "vars", path);
      }
      return n;
    } catch (HdfInvalidPathException | ClassCastException e) {
      return null;
    }
  }

  /** Whether the weights are read straight from the zip file (a stored entry), not from a copy. */
  boolean readInPlace() {
    return inPlace;
  }

  @Override
  public void close() {
    file.close();
    if (extracted != null) {
      try {
        java.nio.file.Files.deleteIfExists(extracted);
      } catch (java.io.IOException ignored) {
        // the temp file was also marked deleteOnExit
      }
    }
  }
}
