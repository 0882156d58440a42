package dev.convlens.bridge.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What any Keras file format boils down to: the model config (the JSON of {@code model.to_json()},
 * i.e. {@code {"class_name": ..., "config": ...}}) and where its weights are; {@code inputShape}
 * (per sample, or null) fixes input sizes the config leaves open, as convlens exports record them.
 */
public record KerasArtifact(JsonNode modelConfig, WeightSource weights, @Nullable Path source, String formatDescription,
    long @Nullable [] inputShape) {
  public KerasArtifact(JsonNode modelConfig, WeightSource weights, @Nullable Path source, String formatDescription) {
    this(modelConfig, weights, source, formatDescription, null);
  }
}
