package dev.convlens.server;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.visualize.cam.AttributionMethod;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * What the server asks of a model: the seam between the HTTP layer and the classifier, so the
 * routes, limits and overload handling can be tested with a model that blocks or fails on cue.
 * Implementations are thread-safe; every method taking image bytes decodes them itself and throws
 * {@code ImageReadException} for bytes that are not an image it decodes within its limits.
 */
interface ServedModel extends AutoCloseable {
  ModelInfo info();

  /** The {@code top} best classes, best first. */
  List<Prediction> predict(byte[] image, int top);

  /**
   * The heatmap of class {@code classIndex} (-1: the top class) by {@code method} on {@code layer}
   * (null: the default layer), with its overlay on the image at the image's size; stops with
   * {@code CancelledException} before a graph run once {@code deadline} has passed (Score-CAM runs many).
   */
  Explained explain(byte[] image, int classIndex, AttributionMethod method, String layer, Cancellation deadline);

  /** The channel grid of {@code layer}'s activations for the image. */
  BufferedImage activations(byte[] image, String layer);

  @Override
  void close();
}
