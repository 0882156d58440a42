package dev.convlens.visualize.cam;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Finds the layers a CAM needs: the default target layer, the output layer and the class logits. */
final class TargetLayers {
  private TargetLayers() {}

  /**
   * Layers that only subsample or pass on the map of the layer before them, and nested models
   * (their own layers are candidates). Grad-CAM targets the last layer that computes a map (the
   * book uses block5_conv3, not block5_pool).
   */
  private static boolean passesOnItsInput(LayerInfo l) {
    return l.is(LayerTrait.PASS_THROUGH) || l.is(LayerTrait.POOLING) || l.is(LayerTrait.MODEL);
  }

  /**
   * The last layer, nested models' layers included, with a 4-D output of more than one spatial
   * position that is not a pooling, dropout, padding or reshape layer: the last convolutional map
   * before the classifier (MobileNet's {@code conv_pw_13_relu}, VGG16's {@code block5_conv3}).
   */
  static String defaultLayer(KerasModel model) {
    List<String> candidates = candidates(model);
    if (!candidates.isEmpty()) {
      return candidates.get(candidates.size() - 1);
    }
    throw new InvalidInputException("model '" + model.name() + "' has no layer with a 4-D (batch, height, width,"
        + " channels) output to compute a class activation map on");
  }

  /** Every layer that computes a map of more than one position, in build order: the default is the last. */
  static List<String> candidates(KerasModel model) {
    List<String> out = new ArrayList<>();
    for (LayerInfo l : model.layers()) {
      if (l.isSpatial() && !passesOnItsInput(l) && !l.path().contains("@") && spatialPositions(l.outputShape()) > 1) {
        out.add(l.path());
      }
    }
    return out;
  }

  /** The target layer by name or path, checked to have a 4-D output. */
  static String checkedLayer(KerasModel model, String nameOrPath) {
    LayerInfo l = model.layer(nameOrPath);
    if (!l.isSpatial()) {
      throw new InvalidInputException("layer '" + nameOrPath + "' of model '" + model.name() + "' has output shape "
          + Arrays.toString(l.outputShape()) + "; a class activation map needs a 4-D (batch, height, width,"
          + " channels) output, e.g. '" + defaultLayer(model) + "'");
    }
    return l.path();
  }

  private static long spatialPositions(long[] shape) {
    return Math.max(shape[1], 1) * Math.max(shape[2], 1);
  }

  /**
   * The output to explain: {@code requested} (an output layer's name), or a single-output model's
   * only output; a multi-output model must say which.
   */
  static String output(KerasModel model, @Nullable String requested) {
    List<String> outputs = model.outputNames();
    if (requested == null) {
      if (outputs.size() != 1) {
        throw new InvalidInputException("model '" + model.name() + "' has outputs " + outputs
            + ": choose the one to explain (CamOptions.withOutput, or --output in the CLI)");
      }
      return outputs.get(0);
    }
    if (!outputs.contains(requested)) {
      throw new InvalidInputException("model '" + model.name() + "' has no output '" + requested + "'; its outputs: "
          + outputs);
    }
    return requested;
  }

  /** The layer whose output is the model output {@code output}. */
  static LayerHandle outputLayer(KerasModel model, String output) {
    ModelGraph g = model.graph();
    String out = g.output(output).op().name();
    List<LayerInfo> layers = model.layers();
    for (int i = layers.size() - 1; i >= 0; i--) {
      LayerHandle h = g.layer(layers.get(i).path());
      if (h.output().op().name().equals(out)) {
        return h;
      }
    }
    throw new IllegalStateException("model '" + model.name() + "': no layer produces the output " + out);
  }

  /**
   * The class scores before the final softmax or sigmoid: walk back from the output layer through
   * reshape-only layers, then take that layer's pre-activation tensor (MobileNet: {@code conv_preds};
   * a Dense layer's value before its activation; an Activation layer's input). Shape as the output's.
   */
  static LayerHandle logitsLayer(KerasModel model, String output) {
    ModelGraph g = model.graph();
    LayerHandle h = outputLayer(model, output);
    while (h.is(LayerTrait.SHAPE_ONLY) && h.inbound().size() == 1) {
      String path = h.path();
      int slash = path.lastIndexOf('/');
      h = g.layer((slash < 0 ? "" : path.substring(0, slash + 1)) + h.inbound().get(0));
    }
    return h;
  }
}
