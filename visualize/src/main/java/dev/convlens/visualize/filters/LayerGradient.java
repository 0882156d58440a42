package dev.convlens.visualize.filters;

import dev.convlens.bridge.KerasModel;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The graph ops of whole-layer filter visualization for one (model, layer), built once and cached.
 *
 * <p>For a batch of K images and a fed one-hot selection matrix {@code S [K, C]} (row i selects
 * image i's filter), {@code loss[i] = sum_c mean_{h,w}(act[i, :, :, c]) * S[i, c]}, the mean of
 * image i's own filter. The gradient of {@code sum_i loss[i]} wrt the input batch is, for image i,
 * exactly the gradient of {@code loss[i]}: the images of a batch do not interact in a convnet in
 * inference mode. So one run gives every image the gradient of its own filter.
 *
 * @param selection the one-hot selection placeholder {@code [K, C]}
 * @param loss per-image losses {@code [K]}
 * @param gradient d(sum of losses)/d(input), {@code [K, H, W, C_in]}
 */
record LayerGradient(Placeholder<TFloat32> selection, Operand<TFloat32> loss, Operand<TFloat32> gradient) {
  /** Weak keys: a model's entry (and its ops, which live in its graph) goes when the model does. */
  private static final Map<KerasModel, Map<String, LayerGradient>> CACHE = Collections.synchronizedMap(new WeakHashMap<>());
  /** Keeps op names unique even when a model's cache entry is rebuilt after a race. */
  private static final AtomicInteger SERIAL = new AtomicInteger();

  static LayerGradient of(KerasModel model, String layerPath, int channels, boolean preActivation) {
    Map<String, LayerGradient> perModel;
    synchronized (CACHE) {
      perModel = CACHE.computeIfAbsent(model, m -> new ConcurrentHashMap<>());
    }
    String key = preActivation ? layerPath + "#pre-activation" : layerPath;
    return perModel.computeIfAbsent(key, k -> build(model, layerPath, channels, preActivation));
  }

  /** How many (model, layer, activation side) gradient builds are cached for {@code model}; for tests. */
  static int cachedLayers(KerasModel model) {
    synchronized (CACHE) {
      Map<String, LayerGradient> perModel = CACHE.get(model);
      return perModel == null ? 0 : perModel.size();
    }
  }

  private static LayerGradient build(KerasModel model, String layerPath, int channels, boolean preActivation) {
    return model.extendGraph(root -> {
      String scope = "filter_visualization_" + layerPath.replaceAll("[^A-Za-z0-9_.-]", "_") + "_" + SERIAL.getAndIncrement();
      Ops tf = root.withSubScope(scope);
      Operand<TFloat32> act = preActivation ? model.handle(layerPath).preActivation() : model.handle(layerPath).output();
      Placeholder<TFloat32> selection = tf.withName("selection")
          .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, channels)));
      Operand<TFloat32> perChannel = tf.math.mean(act, tf.constant(new int[] {1, 2}));
      Operand<TFloat32> loss = tf.withName("loss").sum(tf.math.mul(perChannel, selection), tf.constant(new int[] {1}));
      // addGradients differentiates the sum of the [K] losses: the per-image gradients above.
      Output<?>[] grads = model.graph().addGradients(loss.asOutput(), new Output<?>[] {model.inputPlaceholder().asOutput()});
      return new LayerGradient(selection, loss, grads[0].expect(TFloat32.class));
    });
  }
}
