package dev.convlens.bridge;

/**
 * The most a model load may read, so that a small hostile file (a zip bomb, an HDF5 dataset that
 * declares a billion values in one chunk, a config that asks for huge layers) ends in a {@link
 * ModelFormatException} instead of filling the heap or the disk. Immutable; start from {@link
 * #defaults()} and use the withers; pass with {@link LoadOptions#withLimits(LoadLimits)}.
 *
 * <p>What a load needs: the text parts of the file (at most {@code maxConfigBytes} each), then
 * every weight once as float32 in the heap (at most {@code maxWeightBytes} in all) until the graph
 * holds it, plus one dataset's raw bytes at a time while it is decoded. A {@code .keras} zip's
 * weights are read in place when stored uncompressed (as Keras writes them); a compressed weights
 * entry goes to a temporary file of at most its declared HDF5 size, deleted when the load ends.
 * These bounds hold for hostile files too: sizes are checked against what the config declares
 * before any data is read, and inflated bytes are counted, not taken from the zip's directory.
 *
 * @param maxConfigBytes the most bytes of any one text part read whole: a {@code .keras} zip's
 *     {@code config.json} and {@code metadata.json} (counted while inflating), a model JSON file,
 *     a convlens export manifest, a SavedModel's {@code keras_metadata.pb}. Default 16 MiB: the
 *     configs of the largest Keras applications (EfficientNet, ResNet152, ConvNeXt) are 0.1 to 2 MB.
 * @param maxWeightBytes the most weight data a model may have, counted as float32 (4 bytes per
 *     value) over every layer the config declares, before each layer's weights are read; it also
 *     bounds a {@code .keras} zip's {@code model.weights.h5} entry (twice this, as weights may be
 *     stored as float64). Default: half the JVM's maximum heap, since a load holds every weight in
 *     the heap once, so a larger model could only end in {@link OutOfMemoryError}. A service should
 *     set it to its largest model's weights plus a margin.
 */
public record LoadLimits(long maxConfigBytes, long maxWeightBytes) {
  /** Default for {@link #maxConfigBytes()}. */
  public static final long DEFAULT_MAX_CONFIG_BYTES = 16L << 20;

  public LoadLimits {
    if (maxConfigBytes <= 0 || maxWeightBytes <= 0) {
      throw new InvalidInputException("load limits must be positive, got maxConfigBytes " + maxConfigBytes
          + ", maxWeightBytes " + maxWeightBytes);
    }
  }

  public static LoadLimits defaults() {
    return new LoadLimits(DEFAULT_MAX_CONFIG_BYTES, Runtime.getRuntime().maxMemory() / 2);
  }

  public LoadLimits withMaxConfigBytes(long bytes) {
    return new LoadLimits(bytes, maxWeightBytes);
  }

  public LoadLimits withMaxWeightBytes(long bytes) {
    return new LoadLimits(maxConfigBytes, bytes);
  }
}
