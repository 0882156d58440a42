package dev.convlens.finetune.training;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.spi.ModelVariable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which layers a training phase updates, as Keras' {@code trainable} flags set them: the head only
 * ({@code base.trainable = False}), every layer from a named one onward in the model's layer order
 * (the book's "unfreeze from {@code block5_conv1}"), everything, or exactly some layers. Weights
 * Keras never trains (BatchNormalization's moving mean and variance) are never selected. Layers
 * are named by Keras name or nested path ({@code vgg16/block5_conv1}). Immutable.
 *
 * <p>BatchNormalization layers always run in inference mode (moving statistics), frozen or not:
 * a trainable one learns its gamma and beta through the inference-mode normalisation and keeps its
 * moving statistics, which is what Keras does for frozen BN and a deliberate simplification for
 * trainable BN (Keras would normalise with batch statistics and update the moving ones).
 */
public final class Trainable {
  private enum Kind { HEAD, FROM, ALL, ONLY }

  private final Kind kind;
  private final List<String> layers;

  private Trainable(Kind kind, List<String> layers) {
    this.kind = kind;
    this.layers = layers;
  }

  /** Only the layers after the base (the base frozen). */
  public static Trainable headOnly() {
    return new Trainable(Kind.HEAD, List.of());
  }

  /** {@code layer} and every layer after it in the model's layer order (the head included). */
  public static Trainable fromLayer(String layer) {
    if (layer == null || layer.isBlank()) {
      throw new InvalidInputException("fromLayer needs a layer name");
    }
    return new Trainable(Kind.FROM, List.of(layer));
  }

  /** Every layer. */
  public static Trainable all() {
    return new Trainable(Kind.ALL, List.of());
  }

  /** Exactly these layers (a nested model's name selects all its layers). */
  public static Trainable only(List<String> layers) {
    if (layers == null || layers.isEmpty()) {
      throw new InvalidInputException("Trainable.only needs at least one layer");
    }
    return new Trainable(Kind.ONLY, List.copyOf(layers));
  }

  /** Whether this selection is defined by a base model (the head is what follows it). */
  boolean needsBase() {
    return kind == Kind.HEAD;
  }

  /**
   * The variables selected in {@code model} (whose base is the top-level layer {@code baseName}), in
   * model order.
   *
   * @throws InvalidInputException when a named layer does not exist or nothing trainable is selected
   */
  List<ModelVariable> select(KerasModel model, @Nullable String baseName) {
    Map<String, Integer> index = new HashMap<>();
    List<LayerInfo> infos = model.layers();
    for (int i = 0; i < infos.size(); i++) {
      index.put(infos.get(i).path(), i);
    }
    int from = kind == Kind.FROM ? firstIndex(model, layers.get(0), infos) : -1;
    List<String> only = new ArrayList<>();
    if (kind == Kind.ONLY) {
      layers.forEach(l -> only.add(model.layer(l).path()));
    }
    List<ModelVariable> out = new ArrayList<>();
    for (ModelVariable v : model.graph().variables()) {
      if (!v.spec().trainable()) {
        continue;
      }
      String path = v.layer();
      boolean selected = switch (kind) {
        case HEAD -> !v.layerPath().get(0).equals(baseName);
        case ALL -> true;
        case FROM -> index.getOrDefault(path, -1) >= from;
        case ONLY -> only.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "/"));
      };
      if (selected) {
        out.add(v);
      }
    }
    if (out.isEmpty()) {
      throw new InvalidInputException(this + " selects no trainable weight in model '" + model.name() + "'");
    }
    return out;
  }

  /** The layer's position; for a nested model, the position of its first layer. */
  private static int firstIndex(KerasModel model, String layer, List<LayerInfo> infos) {
    String path = model.layer(layer).path();
    for (int i = 0; i < infos.size(); i++) {
      String p = infos.get(i).path();
      if (p.equals(path) || p.startsWith(path + "/")) {
        return i;
      }
    }
    throw new IllegalStateException(path);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case HEAD -> "head only";
      case ALL -> "all layers";
      case FROM -> "from " + layers.get(0) + " onward";
      case ONLY -> "layers " + layers;
    };
  }
}
