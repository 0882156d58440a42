package dev.convlens.visualize.filters;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The graph ops of the model terms of one objective shape (which kinds of terms on which layers,
 * in order): a model extension, built once. Everything that varies between objectives of that
 * shape (channels, positions, directions, weights) is fed, so a batch holds one objective per image
 * (whole-layer mode). {@code value[i]} is image i's weighted sum of its model terms; {@code gradient}
 * is the gradient of their sum over the batch with respect to the model input, which for image i is
 * the gradient of its own value (images interact only through the diversity term, by design).
 *
 * @param terms per term, its fed values
 * @param value per-image objective value of the model terms {@code [K]}
 * @param gradient d(sum of values)/d(model input)
 */
record ObjectiveGraph(List<Slot> terms, Operand<TFloat32> value, Operand<TFloat32> gradient) {

  /** How a term is computed: the kinds of {@link Objective.Kind} that share graph ops. */
  enum Form {
    /** {@code sum_c mean_hw(act)[c] * weights[c]}: channel, direction, class logit. */
    MEAN,
    /** {@code sum_c sum_hw(act * mask)[c] * weights[c]}: neuron. */
    NEURON,
    /** {@code mean(act^2) * weight}: DeepDream. */
    SQUARES,
    /** Lucid's batch Gram similarity times weight. */
    DIVERSITY;

    static Form of(Objective.Kind kind) {
      return switch (kind) {
        case CHANNEL, DIRECTION, CLASS_LOGIT -> MEAN;
        case NEURON -> NEURON;
        case LAYER -> SQUARES;
        case DIVERSITY -> DIVERSITY;
        case TOTAL_VARIATION, L2 -> throw new IllegalArgumentException(kind + " is a picture term");
      };
    }
  }

  /** One model term of the shape: its form and layer (a resolved path), before or after the activation. */
  record TermShape(Form form, String layer, boolean preActivation) {}

  /**
   * The fed values of one term: {@code weights} is {@code [K, C]} for MEAN and NEURON (the channel
   * weights, the term's weight folded in) or {@code [K]} (the term's weight); {@code mask} is the
   * neuron's one-hot position {@code [K, h, w]}.
   */
  record Slot(TermShape shape, Placeholder<TFloat32> weights, @Nullable Placeholder<TFloat32> mask) {}

  static ObjectiveGraph of(KerasModel model, List<TermShape> shape) {
    return model.graph().extension(ExtensionKey.of(ObjectiveGraph.class, shape), scope -> build(scope, shape));
  }

  /**
   * The path of the layer whose pre-activation output holds the class logits: the model's output
   * layer, or, when that only reshapes (MobileNet's {@code reshape_2} after the softmax), the layer it
   * reshapes (the rule of Grad-CAM's logit scores).
   */
  static String logitsLayer(KerasModel model) {
    ModelGraph g = model.graph();
    String out = g.output().op().name();
    List<LayerInfo> layers = model.layers();
    LayerHandle h = g.layer(layers.get(layers.size() - 1).path());
    for (int i = layers.size() - 1; i >= 0; i--) {
      LayerHandle candidate = g.layer(layers.get(i).path());
      if (candidate.output().op().name().equals(out)) {
        h = candidate;
        break;
      }
    }
    while (h.is(LayerTrait.SHAPE_ONLY) && h.inbound().size() == 1) {
      String path = h.path();
      int slash = path.lastIndexOf('/');
      h = g.layer((slash < 0 ? "" : path.substring(0, slash + 1)) + h.inbound().get(0));
    }
    return h.path();
  }

  private static ObjectiveGraph build(GraphScope scope, List<TermShape> shape) {
    ModelGraph g = scope.model();
    Ops tf = scope.ops("feature_visualization_objective");
    List<Slot> slots = new ArrayList<>();
    Operand<TFloat32> total = null;
    for (TermShape t : shape) {
      LayerHandle layer = g.layer(t.layer());
      Operand<TFloat32> act = t.preActivation() ? layer.preActivation() : layer.output();
      long[] s = layer.outputShape();
      int rank = s.length;
      Operand<TFloat32> v;
      Placeholder<TFloat32> mask = null;
      Placeholder<TFloat32> weights;
      switch (t.form()) {
        case MEAN -> {
          weights = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, s[rank - 1])));
          Operand<TFloat32> perChannel = rank == 2 ? act : tf.math.mean(act, spatialAxes(tf, rank));
          v = tf.sum(tf.math.mul(perChannel, weights), tf.constant(1));
        }
        case NEURON -> {
          weights = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, s[rank - 1])));
          mask = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1)));
          Operand<TFloat32> at = tf.sum(tf.math.mul(act, tf.expandDims(mask, tf.constant(-1))), tf.constant(new int[] {1, 2}));
          v = tf.sum(tf.math.mul(at, weights), tf.constant(1));
        }
        case SQUARES -> {
          weights = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
          v = tf.math.mul(tf.math.mean(tf.math.square(act), allButBatch(tf, rank)), weights);
        }
        case DIVERSITY -> {
          weights = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
          v = tf.math.mul(diversity(tf, act, s[rank - 1]), weights);
        }
        default -> throw new IllegalStateException(t.form().toString());
      }
      slots.add(new Slot(t, weights, mask));
      total = total == null ? v : tf.math.add(total, v);
    }
    if (total == null) {
      throw new IllegalStateException("an objective shape without model terms");
    }
    Operand<TFloat32> value = tf.withName("value").identity(total);
    Operand<TFloat32> gradient = scope.gradients(value, g.input())[0].expect(TFloat32.class);
    return new ObjectiveGraph(List.copyOf(slots), value, gradient);
  }

  /**
   * Per image i: {@code sum_{j != i} <g_i, g_j> / K}, with {@code g} the layer's Gram matrices
   * ({@code F^T F} over positions) normalized to unit Frobenius norm (Lucid's {@code diversity}).
   */
  private static Operand<TFloat32> diversity(Ops tf, Operand<TFloat32> act, long channels) {
    int c = (int) channels;
    Operand<TInt32> k = tf.gather(tf.shape(act, TInt32.class), tf.constant(0), tf.constant(0));
    Operand<TFloat32> f = tf.reshape(act, tf.stack(List.of(k, tf.constant(-1), tf.constant(c))));
    Operand<TFloat32> gram = tf.train.batchMatMul(f, f, TFloat32.class, BatchMatMul.adjX(true));
    Operand<TFloat32> flat = tf.reshape(gram, tf.constant(new int[] {-1, c * c}));
    Operand<TFloat32> norm = tf.math.sqrt(tf.math.add(tf.sum(tf.math.square(flat), tf.constant(1), Sum.keepDims(true)),
        tf.constant(1e-10f)));
    Operand<TFloat32> unit = tf.math.div(flat, norm);
    Operand<TFloat32> all = tf.sum(unit, tf.constant(0), Sum.keepDims(true));
    Operand<TFloat32> others = tf.sum(tf.math.mul(unit, tf.math.sub(all, unit)), tf.constant(1));
    return tf.math.div(others, tf.dtypes.cast(k, TFloat32.class));
  }

  private static Operand<TInt32> spatialAxes(Ops tf, int rank) {
    int[] axes = new int[rank - 2];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i + 1;
    }
    return tf.constant(axes);
  }

  private static Operand<TInt32> allButBatch(Ops tf, int rank) {
    int[] axes = new int[rank - 1];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i + 1;
    }
    return tf.constant(axes);
  }
}
