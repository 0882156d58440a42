package dev.convlens.server;

import dev.convlens.bridge.image.Prediction;
import dev.convlens.visualize.cam.AttributionMethod;
import dev.convlens.visualize.cam.Heatmap;
import java.awt.image.BufferedImage;

/** One explanation as the server returns it: the class, how and where it was explained, the map and its overlay. */
record Explained(Prediction target, AttributionMethod method, String layer, Heatmap heatmap, BufferedImage overlay) {}
