package dev.convlens.bridge;

import java.nio.file.Path;

/** A Keras layer class that convlens cannot rebuild as TF ops (custom Python layers, Lambda, RNNs, ...). Raised at load time. */
public final class UnsupportedLayerException extends ModelFormatException {
  private final String layerClass;
  private final String layerName;

  public UnsupportedLayerException(Path source, String layerClass, String layerName, String detail) {
    super(source, "unsupported Keras layer class '" + layerClass + "' (layer '" + layerName + "')"
        + (detail == null || detail.isEmpty() ? "" : ": " + detail));
    this.layerClass = layerClass;
    this.layerName = layerName;
  }

  public String layerClass() {
    return layerClass;
  }

  public String layerName() {
    return layerName;
  }
}
