package dev.convlens.visualize.activations;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LayerTrait;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Fetches the outputs of chosen layers in one session run, as the book's activation model
 * ({@code models.Model(inputs=model.input, outputs=layer_outputs)} and one {@code predict}) does,
 * and chooses layers: every convolution and pooling layer, or the first N layers.
 */
public final class Activations {
  private Activations() {}

  /** What the default selection takes, as the book's grids show: convolutions and local poolings. */
  static boolean isConvOrPool(LayerInfo l) {
    return l.is(LayerTrait.CONVOLUTIONAL) || l.is(LayerTrait.POOLING);
  }

  /**
   * The outputs of {@code layers} (names, or paths such as {@code vgg16/block1_conv1}) for
   * {@code input}, a batch {@code [N, H, W, C]} or one image {@code [H, W, C]}, from a single run
   * of the model. Layer names are checked before the run.
   *
   * <p>Cost: that one graph run (as {@code KerasModel.activations}), so no cancellation to take: a
   * pending interrupt stops it before the run with {@code CancelledException}, and rendering the
   * grids afterwards runs no graph.
   */
  public static LayerActivations fetch(KerasModel model, FloatTensor input, Collection<String> layers) {
    if (layers == null || layers.isEmpty()) {
      throw new InvalidInputException("no layers chosen; model '" + model.name() + "' has: " + paths(model.layers()));
    }
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(layers));
    List<LayerInfo> infos = new ArrayList<>();
    for (String l : unique) {
      infos.add(model.layer(l)); // throws InvalidInputException naming the model's layers
    }
    Map<String, FloatTensor> values = model.activations(input, unique);
    List<LayerOutput> outputs = new ArrayList<>();
    for (int i = 0; i < unique.size(); i++) {
      LayerInfo info = infos.get(i);
      outputs.add(new LayerOutput(info.path(), info.className(), Objects.requireNonNull(values.get(unique.get(i)))));
    }
    return new LayerActivations(outputs);
  }

  /** As {@link #fetch(KerasModel, FloatTensor, Collection)} for {@link #convAndPoolLayers(KerasModel)}. */
  public static LayerActivations fetch(KerasModel model, FloatTensor input) {
    return fetch(model, input, convAndPoolLayers(model));
  }

  /**
   * Every convolution (Conv2D, DepthwiseConv2D, SeparableConv2D) and local pooling (MaxPooling2D,
   * AveragePooling2D) layer, as the layer registry classes them, those inside nested models
   * included (by path), in model order.
   */
  public static List<String> convAndPoolLayers(KerasModel model) {
    List<String> out = new ArrayList<>();
    for (LayerInfo l : model.layers()) {
      if (isConvOrPool(l) && l.isSpatial()) {
        out.add(l.path());
      }
    }
    if (out.isEmpty()) {
      throw new InvalidInputException("model '" + model.name() + "' has no convolution or pooling layer; layers: "
          + paths(model.layers()));
    }
    return List.copyOf(out);
  }

  /**
   * The first {@code n} layers of the model itself, input layers left out, as the book's
   * {@code model.layers[:8]} on a Sequential model: a nested model counts as one layer (its output).
   */
  public static List<String> firstLayers(KerasModel model, int n) {
    List<String> top = new ArrayList<>();
    for (LayerInfo l : model.layers()) {
      if (l.depth() == 0 && !l.is(LayerTrait.INPUT) && !l.path().contains("@")) {
        top.add(l.path());
      }
    }
    if (n < 1 || n > top.size()) {
      throw new InvalidInputException("model '" + model.name() + "' has " + top.size()
          + " layers after its input; the first N needs N in 1.." + top.size() + ", got " + n);
    }
    return List.copyOf(top.subList(0, n));
  }

  private static String paths(List<LayerInfo> layers) {
    return String.join(", ", layers.stream().map(LayerInfo::path).toList());
  }
}
