package dev.convlens.server;

import java.util.List;

/**
 * A served model as {@code GET /v1/models} describes it: its name, the input size images are
 * resized to, its classes in index order, the layers explanations and activations accept (the
 * last one the default) and the CAM methods by their command-line names.
 */
record ModelInfo(String name, int height, int width, List<String> classes, List<String> layers, String defaultLayer,
    List<String> methods, String defaultMethod) {
  ModelInfo {
    classes = List.copyOf(classes);
    layers = List.copyOf(layers);
    methods = List.copyOf(methods);
  }
}
