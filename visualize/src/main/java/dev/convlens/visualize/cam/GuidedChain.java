package dev.convlens.visualize.cam;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.graph.LayerOutput;
import dev.convlens.bridge.spi.GraphScope;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The guided backward pass of any layer graph, built layer by layer in graph ops: the layers are
 * visited in reverse build order (so after every layer that consumes their output), the gradients
 * reaching a layer's output are summed, clipped at zero when the layer ends in a ReLU, and carried
 * by TF's own gradient of that layer alone to the layer's inputs.
 *
 * <p>"That layer alone": TF's gradient of a layer output with respect to one of its inputs sums
 * every path between them, so for a join whose inputs depend on each other (a residual Add of
 * {@code a} and {@code conv(a)}) it would also run back through {@code conv} unguided. A layer with
 * several inputs is therefore called again (sharing its weights) on fresh identities of its
 * inputs, which have no other path to it. A single-input layer needs no copy.
 *
 * <p>TF's gradient registry cannot do this instead: {@code TensorFlow.registerCustomGradient("Relu",
 * ...)} (and {@code "Relu6"}) returns false on TF Java 1.1, since Relu already has a gradient, and a
 * registration is process-wide. An op type without a gradient ({@code Snapshot}) can be given one,
 * but the model's graph would have to be rebuilt around it.
 */
final class GuidedChain {
  private static final Set<String> RELU_OPS = Set.of("Relu", "Relu6");

  private GuidedChain() {}

  /**
   * The guided gradient of {@code score} (a sum of rows of {@code logits}, the pre-activation tensor
   * of a layer) with respect to the model input. Call inside an extension builder.
   *
   * @throws InvalidInputException when a layer is called more than once (its inputs are ambiguous)
   */
  static Operand<TFloat32> inputGradient(KerasModel model, GraphScope scope, Ops ops, Operand<TFloat32> score,
      Operand<TFloat32> logits) {
    ModelGraph g = scope.model();
    for (LayerInfo l : model.layers()) {
      if (l.path().contains("@")) {
        throw new InvalidInputException("guided backprop cannot follow layer '" + l.path() + "' of model '"
            + model.name() + "': the layer is called more than once (shared layers are not supported)");
      }
    }
    Map<String, Operand<TFloat32>> pending = new HashMap<>();
    Output<?> seed = scope.gradients(score, logits)[0];
    if (seed == null) {
      throw new IllegalStateException("model '" + model.name() + "': the class score does not depend on the logits");
    }
    pending.put(key(logits), cast(seed));
    List<LayerInfo> layers = model.layers();
    for (int i = layers.size() - 1; i >= 0; i--) {
      LayerHandle h = g.layer(layers.get(i).path());
      // A nested model's own layers carry its part of the pass; an input layer has nothing before it.
      if (h.isModel() || h.inbound().isEmpty()) {
        continue;
      }
      boolean atOutput = pending.containsKey(key(h.output()));
      Operand<TFloat32> y = atOutput ? h.output() : h.preActivation();
      Operand<TFloat32> grad = pending.remove(key(y));
      if (grad == null) {
        continue;
      }
      List<Operand<TFloat32>> inputs = inputs(g, h);
      if (inputs.size() == 1 && key(inputs.get(0)).equals(key(y))) {
        pending.put(key(y), grad);  // a layer that hands its input on unchanged
        continue;
      }
      if (atOutput && endsInRelu(h.output())) {
        grad = ops.nn.relu(grad);
      }
      List<Operand<TFloat32>> xs = inputs;
      if (inputs.size() > 1) {
        xs = new ArrayList<>();
        for (Operand<TFloat32> in : inputs) {
          xs.add(ops.identity(in));
        }
        LayerOutput again = scope.callLayer(h.path(), ops, xs);
        y = atOutput ? again.output() : again.preActivation();
      }
      Output<?>[] dx = scope.gradients(new Operand<?>[] {y}, xs.toArray(new Operand<?>[0]), new Operand<?>[] {grad});
      for (int j = 0; j < inputs.size(); j++) {
        if (dx[j] != null) {
          pending.merge(key(inputs.get(j)), cast(dx[j]), (a, b) -> ops.math.add(a, b));
        }
      }
    }
    Operand<TFloat32> atInput = pending.get(key(g.input()));
    return atInput != null ? atInput : ops.zerosLike(g.input());
  }

  /**
   * The tensors feeding {@code h}: its inbound layers' outputs, named relative to its own (nested)
   * model. A handle's output is an identity of the layer's tensor that its consumers read, except for
   * input layers and nested models, whose consumers read the tensor under the identity.
   */
  private static List<Operand<TFloat32>> inputs(ModelGraph g, LayerHandle h) {
    int slash = h.path().lastIndexOf('/');
    String parent = slash < 0 ? "" : h.path().substring(0, slash + 1);
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (String name : h.inbound()) {
      LayerHandle in = g.layer(parent + name);
      Operand<TFloat32> t = in.output();
      if (in.isModel() || in.className().equals("InputLayer")) {
        t = ((GraphOperation) t.op()).input(0).expect(TFloat32.class);
      }
      out.add(t);
    }
    return out;
  }

  /** True when the layer's output is a ReLU (or ReLU6), or the identity the graph names it by of one. */
  private static boolean endsInRelu(Operand<TFloat32> output) {
    GraphOperation op = (GraphOperation) output.op();
    return RELU_OPS.contains(op.type())
        || op.numInputs() == 1 && RELU_OPS.contains(((GraphOperation) op.input(0).op()).type());
  }

  private static String key(Operand<?> o) {
    Output<?> out = o.asOutput();
    return out.op().name() + ":" + out.index();
  }

  private static Operand<TFloat32> cast(Output<?> o) {
    return o.expect(TFloat32.class);
  }
}
