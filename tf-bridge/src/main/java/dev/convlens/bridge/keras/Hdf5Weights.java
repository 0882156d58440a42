package dev.convlens.bridge.keras;

import dev.convlens.bridge.ModelFormatException;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Weights in the Keras 2 HDF5 layout: one group per top-level layer (under {@code model_weights}
 * in full-model files, at the root in weights-only files) whose {@code weight_names} attribute
 * lists its datasets in assignment order. As Keras does, weights are matched by that order, not by
 * name, so the original VGG16 names ({@code block1_conv1_W_1:0}) load like {@code kernel:0}.
 */
final class Hdf5Weights implements WeightSource {
  private final HdfFile file;
  private final Group root;
  private final Path path;
  private final @Nullable Path model;

  /** {@code model} is the file whose config implies the weight shapes, or null when it is {@code path}. */
  Hdf5Weights(HdfFile file, Group root, Path path, @Nullable Path model) {
    this.file = file;
    this.root = root;
    this.path = path;
    this.model = model;
  }

  @Override
  public List<WeightArray> weights(List<String> layerPath, String layerClass, List<WeightSpec> expected) {
    try {
      return read(layerPath, new WeightCheck(path, model, layerPath, layerClass), expected);
    } catch (RuntimeException e) {
      throw Hdf5.corrupt(path, "the weights of layer '" + String.join("/", layerPath) + "'", e);
    }
  }

  private List<WeightArray> read(List<String> layerPath, WeightCheck check, List<WeightSpec> expected) {
    Node group = Hdf5.child(root, layerPath.get(0), path);
    if (!(group instanceof Group g)) {
      return List.of();
    }
    List<String> names = Hdf5.stringListAttribute(g, "weight_names");
    if (layerPath.size() > 1) {
      // A nested model's group lists all its layers' weights as "<layer>/<var>:0"; Keras 2.0.5
      // wrote "<layer>_1/<var>:0", tried only when no exact match exists (conv2d_1 is a real name too).
      String layer = layerPath.get(layerPath.size() - 1);
      List<String> mine = withScope(names, layer + "/");
      names = mine.isEmpty() ? withScope(names, layer + "_1/") : mine;
    }
    if (names.isEmpty()) {
      return List.of();
    }
    check.count(names, expected);
    List<WeightArray> out = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      Node d = Hdf5.child(g, n, path);
      if (!(d instanceof Dataset ds)) {
        throw new ModelFormatException(path, "layer '" + String.join("/", layerPath) + "' lists weight '" + n
            + "' but " + g.getPath() + n + " is not a dataset");
      }
      out.add(new WeightArray(n, check.read(ds, n, expected.get(i))));
    }
    return out;
  }

  private static List<String> withScope(List<String> names, String prefix) {
    List<String> mine = new ArrayList<>();
    for (String n : names) {
      if (n.startsWith(prefix) || n.contains("/" + prefix)) {
        mine.add(n);
      }
    }
    return mine;
  }

  @Override
  public void close() {
    file.close();
  }
}
