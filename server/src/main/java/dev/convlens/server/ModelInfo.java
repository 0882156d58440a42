package dev.convlens.server;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A served model as {@code GET /v1/models} describes it: its name, the input size images are
 * resized to (-1: any), its classes in index order, the layers explanations accept and the
 * layers whose activations are drawn (each with its default, null when the model has none), and
 * the CAM methods by their command-line names.
 */
record ModelInfo(String name, int height, int width, List<String> classes, List<String> layers,
    @Nullable String defaultLayer, List<String> activationLayers, @Nullable String defaultActivationLayer,
    List<String> methods, @Nullable String defaultMethod) {
  ModelInfo {
    classes = List.copyOf(classes);
    layers = List.copyOf(layers);
    activationLayers = List.copyOf(activationLayers);
    methods = List.copyOf(methods);
  }
}
