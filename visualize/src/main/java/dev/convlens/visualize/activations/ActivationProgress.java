package dev.convlens.visualize.activations;

/** Progress of rendering several layers: {@code done} of {@code total} layers finished, the last one named. */
@FunctionalInterface
public interface ActivationProgress {
  ActivationProgress NONE = (done, total, layer) -> {};

  void layerDone(int done, int total, String layer);
}
