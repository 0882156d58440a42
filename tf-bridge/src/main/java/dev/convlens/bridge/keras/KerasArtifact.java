package dev.convlens.bridge.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * What any Keras file format boils down to: the model config (the JSON of {@code model.to_json()},
 * i.e. {@code {"class_name": ..., "config": ...}}) and where its weights are.
 */
public record KerasArtifact(JsonNode modelConfig, WeightSource weights, Path source, String formatDescription) {}
