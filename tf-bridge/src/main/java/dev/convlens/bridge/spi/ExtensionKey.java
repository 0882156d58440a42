package dev.convlens.bridge.spi;

import java.util.Arrays;
import java.util.List;

/**
 * Names one extension of a model's graph (the gradient ops of a Grad-CAM layer, a training phase's
 * update ops): equal keys share one build. {@code type} types the cached value; {@code parts} are
 * whatever makes two builds different (layer path, score kind, trainable variables, optimizer).
 */
public record ExtensionKey<T>(Class<T> type, List<Object> parts) {
  public ExtensionKey {
    parts = List.copyOf(parts);
  }

  public static <T> ExtensionKey<T> of(Class<T> type, Object... parts) {
    return new ExtensionKey<>(type, Arrays.asList(parts));
  }
}
