package dev.convlens.spark;

import dev.convlens.bridge.InvalidInputException;
import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/**
 * Which layer {@link ConvlensSpark#features} turns into a vector column, and how. Immutable;
 * start from {@link #defaults()}.
 *
 * @param rows the image column, batch size and error handling
 * @param layer the layer's name or nested path, or null for the model's output
 * @param pooling how a spatial map {@code (h, w, c)} becomes a vector: flattened in Keras' order
 *     (as {@code Flatten}), or averaged (in double precision) or maximised over positions (as {@code
 *     GlobalAveragePooling2D} and {@code GlobalMaxPooling2D}); outputs without positions are taken as they are
 */
public record FeatureOptions(RowOptions rows, @Nullable String layer, Pooling pooling) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How a spatial map becomes a vector. */
  public enum Pooling { FLATTEN, AVERAGE, MAX }

  public FeatureOptions {
    InvalidInputException.requireNonNull(rows, "rows");
    InvalidInputException.requireNonNull(pooling, "pooling");
  }

  /** The model's output, flattened. */
  public static FeatureOptions defaults() {
    return new FeatureOptions(RowOptions.defaults(), null, Pooling.FLATTEN);
  }

  public FeatureOptions withRows(RowOptions rows) {
    return new FeatureOptions(rows, layer, pooling);
  }

  public FeatureOptions withLayer(String name) {
    return new FeatureOptions(rows, name, pooling);
  }

  public FeatureOptions withPooling(Pooling pooling) {
    return new FeatureOptions(rows, layer, pooling);
  }
}
