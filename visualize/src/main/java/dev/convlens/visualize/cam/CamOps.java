package dev.convlens.visualize.cam;

import dev.convlens.bridge.KerasModel;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * The TF ops of one (model, target layer, score kind): the target activation {@code A [N,H,W,K]},
 * the class-selection feed and scores of {@link Scoring}, and {@code dScore/dA}. Built once under
 * the model's write lock and cached per model.
 */
final class CamOps {
  private static final Map<KerasModel, Map<String, CamOps>> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

  final Operand<TFloat32> activations;
  final Placeholder<TFloat32> select;
  /** The model output reshaped to {@code [N, classes]}. */
  final Operand<TFloat32> probabilities;
  /** {@code [N]}: each row's differentiated score for its selected class. */
  final Operand<TFloat32> rowScores;
  final Operand<TFloat32> gradients;
  final int classes;

  private CamOps(Operand<TFloat32> activations, Placeholder<TFloat32> select, Operand<TFloat32> probabilities,
      Operand<TFloat32> rowScores, Operand<TFloat32> gradients, int classes) {
    this.activations = activations;
    this.select = select;
    this.probabilities = probabilities;
    this.rowScores = rowScores;
    this.gradients = gradients;
    this.classes = classes;
  }

  /** The ops for {@code layerPath} and {@code kind} (not NONE), built on first use. */
  static CamOps of(KerasModel model, String layerPath, ScoreKind kind) {
    Map<String, CamOps> forModel;
    synchronized (CACHE) {
      forModel = CACHE.computeIfAbsent(model, m -> new ConcurrentHashMap<>());
    }
    return forModel.computeIfAbsent(layerPath + "\u0000" + kind, k -> build(model, layerPath, kind));
  }

  /** The number of classes of the model's output (its last axis). */
  static int classCount(KerasModel model) {
    long[] s = model.output().shape().asArray();
    return (int) s[s.length - 1];
  }

  private static CamOps build(KerasModel model, String layerPath, ScoreKind kind) {
    int classes = classCount(model);
    Operand<TFloat32> logitsSource = kind == ScoreKind.LOGIT ? TargetLayers.logitsLayer(model).preActivation() : null;
    return model.extendGraph(tf -> {
      Ops cam = tf.withSubScope("convlens_cam");
      Operand<TFloat32> a = model.handle(layerPath).output();
      Scoring s = Scoring.build(cam, model, classes, logitsSource);
      @SuppressWarnings("unchecked")
      Output<TFloat32> grads = (Output<TFloat32>) model.graph().addGradients(s.total().asOutput(),
          new Output<?>[] {a.asOutput()})[0];
      return new CamOps(a, s.select(), s.probabilities(), s.rowScores(), grads, classes);
    });
  }

  /**
   * The score ops: {@code select [N, classes]} one-hot rows (all-zero: the top-1 class, chosen in
   * the graph so that the default needs one run), each row's score and their sum, whose gradient
   * gives every row its own gradients since samples do not mix.
   */
  record Scoring(Placeholder<TFloat32> select, Operand<TFloat32> probabilities, Operand<TFloat32> rowScores,
      Operand<TFloat32> total) {
    /** {@code logitsSource} null: score the probabilities (the model output). Call under the write lock. */
    static Scoring build(Ops cam, KerasModel model, int classes, Operand<TFloat32> logitsSource) {
      Operand<TFloat32> probs = cam.reshape(model.output(), cam.constant(new long[] {-1, classes}));
      Operand<TFloat32> scores = logitsSource != null
          ? cam.reshape(logitsSource, cam.constant(new long[] {-1, classes})) : probs;
      Placeholder<TFloat32> select = cam.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, classes)));
      // stopGradient keeps argMax/oneHot out of the derivative.
      Operand<TFloat32> top = cam.oneHot(cam.math.argMax(cam.stopGradient(probs), cam.constant(1)),
          cam.constant(classes), cam.constant(1f), cam.constant(0f));
      Operand<TFloat32> chosen = cam.math.sign(cam.reduceSum(select, cam.constant(1), ReduceSum.keepDims(true)));
      Operand<TFloat32> oneHot = cam.math.add(select, cam.math.mul(cam.math.sub(cam.constant(1f), chosen), top));
      Operand<TFloat32> rowScores = cam.reduceSum(cam.math.mul(oneHot, scores), cam.constant(1));
      return new Scoring(select, probs, rowScores, cam.reduceSum(rowScores, cam.constant(0)));
    }
  }
}
