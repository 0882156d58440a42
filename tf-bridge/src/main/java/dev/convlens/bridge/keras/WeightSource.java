package dev.convlens.bridge.keras;

import java.util.List;

/**
 * Where a model's stored weights come from (an HDF5 group, a {@code .keras} zip, a checkpoint).
 * Layers are named by their path from the outermost model, e.g. {@code [vgg16, block5_conv1]}.
 */
public interface WeightSource extends AutoCloseable {
  /**
   * The stored weights of one layer in Keras declaration order (the order of {@code expected}),
   * or an empty list when the source holds nothing for that layer. Sources that read files check
   * each stored shape against {@code expected} before reading its values (a file can declare any
   * size); the graph builder checks the shapes of whatever it is given again, naming the layer.
   */
  List<WeightArray> weights(List<String> layerPath, String layerClass, List<WeightSpec> expected);

  /** Releases open files; the loader calls it once the graph holds the weights. */
  @Override
  default void close() {}

  /** A source that holds no weights at all (architecture only). */
  WeightSource NONE = (path, cls, expected) -> List.of();
}
