package dev.convlens.bridge.keras;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.ModelFormatException;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an HDF5 weight reader checks of one layer's datasets before it reads their values: as many
 * as the layer declares, each of the declared shape and a float type. A dataset's header can claim
 * any size (400 M values in a 1.5 MB file, one compressed chunk), so nothing is read until the
 * claim matches what the config implies; memory then follows the model, not the file.
 *
 * <p>A mismatch is the model's problem (its config implies other shapes than its weights have) and
 * names {@code model}; a dataset that cannot be read at all names the weights {@code file}.
 */
final class WeightCheck {
  private final Path file;
  private final Path model;
  private final String layer;

  /**
   * @param file the file the weights are read from
   * @param model the file whose config implies the shapes, or null when it is {@code file}
   */
  WeightCheck(Path file, @Nullable Path model, List<String> layerPath, String layerClass) {
    this.file = file;
    this.model = model != null ? model : file;
    this.layer = "layer '" + String.join("/", layerPath) + "' (" + layerClass + ")";
  }

  /** Refuses a layer whose stored weights are not as many as its config declares. */
  void count(List<String> stored, List<WeightSpec> expected) {
    if (stored.size() != expected.size()) {
      throw mismatch("the file holds " + stored.size() + " weights " + stored + " but the config implies "
          + expected.size() + ": " + expected);
    }
  }

  /** The values of {@code d}, stored as weight {@code name}, once its header matches {@code expected}. */
  FloatTensor read(Dataset d, String name, WeightSpec expected) {
    String weight = layer + ": weight '" + name + "' (dataset " + d.getPath() + ")";
    int[] dims = d.isScalar() ? new int[0] : d.getDimensions();
    long[] shape = Arrays.stream(dims).asLongStream().toArray();
    boolean noValues = d.isEmpty() || Arrays.stream(shape).anyMatch(n -> n == 0);
    if (noValues && expected.count() != 0) {
      // jhdf returns no data at all for a dataset without values; say so rather than misreport its type.
      throw new ModelFormatException(file, weight + " is empty (shape " + Arrays.toString(shape)
          + ", no values), expected " + expected);
    }
    if (!Arrays.equals(shape, expected.shape())) {
      throw mismatch("weight '" + name + "' (dataset " + d.getPath() + ") has shape " + Arrays.toString(shape)
          + " but the config implies " + expected);
    }
    if (expected.count() == 0) {
      return new FloatTensor(expected.shape().clone(), new float[0]);
    }
    Class<?> type = d.getJavaType();
    // Scalars read boxed; an integer scalar is a counter (Normalization's int64 'count').
    boolean scalar = d.isScalar() && (type == Float.class || type == Double.class || type == Long.class
        || type == Integer.class || type == long.class || type == int.class);
    if (type != float.class && type != double.class && !scalar) {
      throw new ModelFormatException(file, weight + " holds " + d.getDataType().getClass().getSimpleName()
          + " values of Java type " + (type == null ? "none" : type.getSimpleName())
          + ", expected float32 or float64 weights");
    }
    long bytes = d.getSize() * (type == double.class ? 8 : 4);
    if (bytes > Integer.MAX_VALUE) {
      // jhdf reads a dataset into one buffer; a weight this large is not a Keras model convlens can hold.
      throw mismatch("weight '" + name + "' has " + d.getSize() + " values (" + bytes + " bytes), more than the"
          + " 2 GiB one weight may hold");
    }
    if (d instanceof ChunkedDataset c && !c.getFilters().isEmpty()) {
      CompressedChunks.check(c, file, weight);
    }
    return Hdf5.floats(d, file, weight);
  }

  private ModelFormatException mismatch(String detail) {
    return new ModelFormatException(model, layer + ": " + detail);
  }
}
