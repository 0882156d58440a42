package dev.convlens.bridge;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A Keras layer class (or a setting of one) that convlens cannot rebuild as TF ops: custom Python
 * layers, Lambda, RNNs, ... Raised at load time; {@link #layerConfig()} holds the layer's config so a
 * user can see what the Python side did (the CLI prints it with {@code --verbose}).
 */
public final class UnsupportedLayerException extends ModelFormatException {
  private final String layerClass;
  private final String layerName;
  private final String layerConfig;

  public UnsupportedLayerException(@Nullable Path source, String layerClass, String layerName, @Nullable String detail) {
    this(source, layerClass, layerName, detail, "");
  }

  public UnsupportedLayerException(@Nullable Path source, String layerClass, String layerName, @Nullable String detail,
      @Nullable String layerConfig) {
    super(source, "unsupported Keras layer class '" + layerClass + "' (layer '" + layerName + "')"
        + (detail == null || detail.isEmpty() ? "" : ": " + detail));
    this.layerClass = layerClass;
    this.layerName = layerName;
    this.layerConfig = layerConfig == null ? "" : layerConfig;
  }

  /** The layer's config as JSON text, or empty when the loader had none to give. */
  public String layerConfig() {
    return layerConfig;
  }

  public String layerClass() {
    return layerClass;
  }

  public String layerName() {
    return layerName;
  }
}
