package dev.convlens.bridge;

/**
 * The most a model load may read, so that a small hostile file (a zip bomb, an HDF5 dataset that
 * declares a billion values in one chunk, a config that asks for huge layers) ends in a {@link
 * ModelFormatException} instead of filling the heap or the disk. Immutable; start from {@link
 * #defaults()} and use the withers; pass with {@link LoadOptions#withLimits(LoadLimits)}.
 *
 * <p>What a load needs, for a model of W bytes of float32 weights: each text part read whole (at
 * most {@code maxConfigBytes}), every weight once in the heap until the graph holds it (W, at most
 * {@code maxWeightBytes}), one dataset's decoded values at a time besides (its float64 values
 * first, if stored so), then W of native memory in TensorFlow. HDF5 files up to 2 GiB and stored
 * {@code .keras} entries are memory-mapped, not copied; a compressed {@code .keras} weights entry
 * goes to a temporary file no longer than its declared HDF5 length, deleted at once. This holds
 * for hostile files too: a dataset's or checkpoint entry's shape is checked against the config
 * before its data is read, zip entries and compressed HDF5 chunks are counted while they inflate,
 * and the weights the config declares are summed before each layer's are read.
 *
 * @param maxConfigBytes the most bytes of any one text part read whole: a {@code .keras} zip's
 *     {@code config.json} and {@code metadata.json} (counted while inflating), a model JSON file,
 *     a convlens export manifest, a SavedModel's {@code keras_metadata.pb}, its checkpoint index and
 *     object graph. Default 16 MiB: the configs of the largest Keras applications (EfficientNet,
 *     ResNet152, ConvNeXt) are 0.1 to 2 MB.
 * @param maxWeightBytes the most weight data a model may have, counted as float32 (4 bytes per
 *     value) over every layer the config declares, before each layer's weights are read; it also
 *     bounds a {@code .keras} zip's {@code model.weights.h5} entry (twice this, as weights may be
 *     stored as float64, plus {@code maxConfigBytes}). Default: half the JVM's maximum heap, since
 *     a load holds every weight in the heap once, so a larger model could only end in {@link
 *     OutOfMemoryError}. A service should set it to its largest model's weights plus a margin.
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
