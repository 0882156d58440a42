package dev.convlens.cli.report;

import dev.convlens.bridge.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Report} shows. Immutable; start from {@link #defaults()}.
 *
 * @param top predictions shown, each with its Grad-CAM overlay
 * @param camLayer Grad-CAM's layer, or null for the last 4-D layer before the classifier
 * @param maxChannels activation channels drawn per layer (0: all)
 * @param filterLayers conv layers whose filters are drawn, spread from shallow to deep
 * @param filtersPerLayer the first filters of each of those layers
 * @param filterSteps gradient-ascent steps per octave
 * @param seed seed of the filters' start images
 * @param featureSteps Adam steps of the feature visualization of one middle conv layer (readable
 *     preset and pixel space, {@code filtersPerLayer} channels each)
 */
public record ReportOptions(int top, @Nullable String camLayer, int maxChannels, int filterLayers, int filtersPerLayer,
    int filterSteps, long seed, int featureSteps) {
  public ReportOptions {
    if (top < 1 || maxChannels < 0 || filterLayers < 0 || filtersPerLayer < 1 || filterSteps < 1 || featureSteps < 1) {
      throw new InvalidInputException("report options out of range: top " + top + " (>= 1), max channels " + maxChannels
          + " (>= 0), filter layers " + filterLayers + " (>= 0), filters per layer " + filtersPerLayer
          + " (>= 1), filter steps " + filterSteps + " (>= 1), feature steps " + featureSteps + " (>= 1)");
    }
  }

  /** Top-3, default CAM layer, all channels, 16 filters of 3 layers, 40 steps, seed 0, 64 feature steps. */
  public static ReportOptions defaults() {
    return new ReportOptions(3, null, 0, 3, 16, 40, 0, 64);
  }

  public ReportOptions withCamLayer(@Nullable String layer) {
    return new ReportOptions(top, layer, maxChannels, filterLayers, filtersPerLayer, filterSteps, seed, featureSteps);
  }

  public ReportOptions withMaxChannels(int n) {
    return new ReportOptions(top, camLayer, n, filterLayers, filtersPerLayer, filterSteps, seed, featureSteps);
  }

  public ReportOptions withFilters(int layers, int perLayer, int steps) {
    return new ReportOptions(top, camLayer, maxChannels, layers, perLayer, steps, seed, featureSteps);
  }

  public ReportOptions withFeatureSteps(int steps) {
    return new ReportOptions(top, camLayer, maxChannels, filterLayers, filtersPerLayer, filterSteps, seed, steps);
  }
}
