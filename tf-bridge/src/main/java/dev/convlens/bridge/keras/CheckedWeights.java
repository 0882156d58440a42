package dev.convlens.bridge.keras;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.ModelFormatException;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A weight source checked on the way to the graph, whatever the file format: the weights the
 * config declares may not add up to more than a limit (checked from the specs, before the layer's
 * weights are read), and, unless allowed, no stored value may be NaN or infinite (one scan of
 * each array as it comes, cheap next to reading it). A model with a non-finite weight loads
 * silently otherwise, then predicts NaN for every input.
 */
public final class CheckedWeights implements WeightSource {
  private final WeightSource delegate;
  private final @Nullable Path model;
  private final @Nullable Path weightsFile;
  private final long maxWeightBytes;
  private final boolean checkFinite;
  private long declaredBytes;

  /**
   * @param model the model file whose config declares the weights (named when they are too many)
   * @param weightsFile the file the values are read from (named for a non-finite value)
   * @param checkFinite whether to refuse NaN and infinite values
   */
  public CheckedWeights(WeightSource delegate, @Nullable Path model, @Nullable Path weightsFile, long maxWeightBytes, boolean checkFinite) {
    this.delegate = delegate;
    this.model = model;
    this.weightsFile = weightsFile;
    this.maxWeightBytes = maxWeightBytes;
    this.checkFinite = checkFinite;
  }

  @Override
  public List<WeightArray> weights(List<String> layerPath, String layerClass, List<WeightSpec> expected) {
    String layer = "layer '" + String.join("/", layerPath) + "' (" + layerClass + ")";
    for (WeightSpec spec : expected) {
      long bytes = bytes(spec.shape());
      declaredBytes = bytes > Long.MAX_VALUE - declaredBytes ? Long.MAX_VALUE : declaredBytes + bytes;
      if (declaredBytes > maxWeightBytes) {
        throw new ModelFormatException(model, layer + ": the config declares more weights than the limit of "
            + maxWeightBytes + " bytes (LoadLimits.maxWeightBytes): " + declaredBytes + " bytes up to its " + spec
            + " as float32");
      }
    }
    List<WeightArray> stored = delegate.weights(layerPath, layerClass, expected);
    if (checkFinite) {
      for (WeightArray w : stored) {
        requireFinite(layer, w);
      }
    }
    return stored;
  }

  /** 4 bytes per value, saturating: a hostile config's shape may overflow a long. */
  private static long bytes(long[] shape) {
    long n = 4;
    for (long d : shape) {
      if (d <= 0) {
        return 0;  // not a real weight; the graph builder refuses its shape
      }
      n = d > Long.MAX_VALUE / n ? Long.MAX_VALUE : n * d;
    }
    return n;
  }

  private void requireFinite(String layer, WeightArray w) {
    float[] data = w.value().data();
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        throw new ModelFormatException(weightsFile, layer + ": weight '" + w.name() + "' holds " + data[i]
            + " at " + position(w.value(), i) + "; a model with non-finite weights predicts NaN"
            + " (LoadOptions.withNonFiniteWeights(true) loads it anyway)");
      }
    }
  }

  /** The index of flat element {@code i} along each axis, e.g. {@code [2, 0]}. */
  private static String position(FloatTensor a, int i) {
    long[] shape = a.shape();
    long[] at = new long[shape.length];
    long rest = i;
    for (int axis = shape.length - 1; axis >= 0; axis--) {
      at[axis] = shape[axis] == 0 ? 0 : rest % shape[axis];
      rest = shape[axis] == 0 ? 0 : rest / shape[axis];
    }
    return "index " + java.util.Arrays.toString(at);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
