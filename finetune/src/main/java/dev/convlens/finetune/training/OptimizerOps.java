package dev.convlens.finetune.training;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import dev.convlens.bridge.spi.ModelVariable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The gradient and update ops of one {@link Optimizer} on one set of trainable variables, written
 * out as Keras 2's optimizers compute them. tensorflow-framework's optimizers are not used: their RMSProp starts its
 * accumulator at one (TF1 semantics; Keras starts at zero, which makes the first steps about
 * {@code lr / sqrt(1 - rho)} per weight instead of {@code lr * g}: with the book's lr 2e-5 the head
 * would barely move), their epsilon defaults differ, and their slot names do not include the
 * optimizer's name, so a second phase on the same variables collides with the first. Here every
 * slot is a VariableV2 {@code <scope>/<variable>_<slot>} set to zero by {@link #reset}.
 *
 * <p>Built once per (model, head, trainable variables, optimizer) as a model extension and reused
 * by every later phase with the same configuration, so repeated fits do not grow the graph; each
 * fit runs {@link #reset} first, so it starts from fresh slots as a newly compiled Keras model does.
 */
final class OptimizerOps {
  final Op step;
  /** Assigns zero to every slot and the step counter; run once before the first step. */
  final Op reset;

  private OptimizerOps(Op step, Op reset) {
    this.step = step;
    this.reset = reset;
  }

  /** The ops training {@code vars} with {@code optimizer} on the mean training loss of {@code head}. */
  static OptimizerOps of(KerasModel model, HeadLayers head, ClassifierOps classifier, List<ModelVariable> vars,
      Optimizer optimizer) {
    List<String> names = vars.stream().map(ModelVariable::name).toList();
    return model.graph().extension(ExtensionKey.of(OptimizerOps.class, head, names, optimizer),
        scope -> build(scope, Objects.requireNonNull(classifier.trainMeanLoss), vars, optimizer));
  }

  /** Gradients of {@code loss} for {@code vars} only, then the updates. */
  private static OptimizerOps build(GraphScope scope, Operand<TFloat32> loss, List<ModelVariable> vars, Optimizer o) {
    Output<?>[] grads = scope.gradients(loss, vars.stream().map(ModelVariable::variable).toArray(Operand<?>[]::new));
    for (int i = 0; i < grads.length; i++) {
      if (grads[i] == null) {
        throw new InvalidInputException("weight '" + vars.get(i).name() + "' does not affect the loss; it cannot be trained");
      }
    }
    Ops tf = scope.ops("train_" + o.kind().name().toLowerCase(java.util.Locale.ROOT));
    return build(tf, o, vars.stream().map(ModelVariable::variable).toList(), List.of(grads));
  }

  private static OptimizerOps build(Ops ops, Optimizer o, List<Variable<TFloat32>> vars, List<Output<?>> grads) {
    // Every gradient is computed before any variable changes: backward ops read variables too (the
    // output kernel, for the gradient of the layers below it), and ref variables are read in place.
    List<Op> gradientsDone = new ArrayList<>();
    for (Output<?> g : grads) {
      gradientsDone.add(ops.identity(g));
    }
    Ops tf = ops.withControlDependencies(gradientsDone);
    List<Op> updates = new ArrayList<>();
    List<Op> resets = new ArrayList<>();
    Operand<TFloat32> lr = tf.constant((float) o.learningRate());
    Operand<TFloat32> eps = tf.constant((float) Optimizer.EPSILON);
    Variable<TFloat32> iterations = slot(ops, "iterations", Shape.scalar(), resets);
    Operand<TFloat32> t = tf.math.add(iterations, tf.constant(1f));
    // Keras' Adam: lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t), epsilon added to sqrt(v).
    Operand<TFloat32> adamLr = tf.math.div(tf.math.mul(lr, tf.math.sqrt(tf.math.sub(tf.constant(1f),
        tf.math.pow(tf.constant((float) Optimizer.BETA_2), t)))),
        tf.math.sub(tf.constant(1f), tf.math.pow(tf.constant((float) Optimizer.BETA_1), t)));
    for (int i = 0; i < vars.size(); i++) {
      Variable<TFloat32> v = vars.get(i);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> g = (Operand<TFloat32>) grads.get(i);
      String base = v.op().name();
      switch (o.kind()) {
        case SGD -> updates.add(tf.assignSub(v, tf.math.mul(lr, g)));
        case RMSPROP -> {
          Variable<TFloat32> rms = slot(ops, base + "_rms", v.shape(), resets);
          float rho = (float) Optimizer.RMSPROP_RHO;
          Operand<TFloat32> rmsNew = tf.math.add(tf.math.mul(tf.constant(rho), rms),
              tf.math.mul(tf.constant(1f - rho), tf.math.square(g)));
          updates.add(tf.assign(rms, rmsNew));
          updates.add(tf.assignSub(v, tf.math.div(tf.math.mul(lr, g), tf.math.add(tf.math.sqrt(rmsNew), eps))));
        }
        case ADAM -> {
          Variable<TFloat32> m = slot(ops, base + "_m", v.shape(), resets);
          Variable<TFloat32> s = slot(ops, base + "_v", v.shape(), resets);
          float b1 = (float) Optimizer.BETA_1;
          float b2 = (float) Optimizer.BETA_2;
          Operand<TFloat32> mNew = tf.math.add(tf.math.mul(tf.constant(b1), m), tf.math.mul(tf.constant(1f - b1), g));
          Operand<TFloat32> sNew = tf.math.add(tf.math.mul(tf.constant(b2), s),
              tf.math.mul(tf.constant(1f - b2), tf.math.square(g)));
          updates.add(tf.assign(m, mNew));
          updates.add(tf.assign(s, sNew));
          updates.add(tf.assignSub(v, tf.math.div(tf.math.mul(adamLr, mNew), tf.math.add(tf.math.sqrt(sNew), eps))));
        }
      }
    }
    // The counter moves only after every update has read it.
    Op count = tf.withControlDependencies(updates).assign(iterations, t);
    Op step = ops.withName("step").withControlDependencies(List.of(count)).noOp();
    Op reset = ops.withName("reset").withControlDependencies(resets).noOp();
    return new OptimizerOps(step, reset);
  }

  private static Variable<TFloat32> slot(Ops tf, String name, Shape shape, List<Op> resets) {
    Variable<TFloat32> v = tf.withName(name).variable(shape, TFloat32.class);
    resets.add(tf.assign(v, tf.zeros(tf.constant(shape.asArray()), TFloat32.class)));
    return v;
  }
}
