package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import dev.convlens.bridge.spi.ModelGraph;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Guided backpropagation (Springenberg et al. 2015) of the class logit to the input, and guided
 * Grad-CAM (its product with the upsampled Grad-CAM map, Selvaraju et al. 2017).
 *
 * <p>Guided backprop passes a gradient back through a ReLU only where both the input and the
 * gradient are positive. TF Java cannot override Relu's gradient, so {@link GuidedChain} builds the
 * backward pass layer by layer in graph ops: at each ReLU layer's output the summed incoming gradient
 * is clipped at zero, then TF's own gradient of that layer (through the ReLU itself, which masks
 * non-positive inputs) carries it to the layer's inputs. Joins (Add, Concatenate, ...), residual
 * blocks, branches and nested models are followed; layers called more than once are refused with an
 * {@link InvalidInputException}.
 */
public final class GuidedBackprop {
  /** The graph side: the targets' scores and the guided gradient of their sum with respect to the input. */
  record GuidedOps(TargetOps targets, Operand<TFloat32> inputGradient) {}

  private final KerasModel model;
  private final GuidedOps ops;

  private GuidedBackprop(KerasModel model, GuidedOps ops) {
    this.model = model;
    this.ops = ops;
  }

  /**
   * Guided backprop on {@code model}. The first call for a model adds the guided backward pass to
   * its graph (once per model, freed with it): as for {@link CamExplainer}, do it before serving.
   *
   * @throws InvalidInputException when a layer of the model is called more than once
   */
  public static GuidedBackprop of(KerasModel model) {
    if (model == null) {
      throw new InvalidInputException("guided backprop: model is null");
    }
    ModelGraph g = model.graph();
    GuidedOps ops = g.extension(ExtensionKey.of(GuidedOps.class), scope -> build(model, scope));
    return new GuidedBackprop(model, ops);
  }

  GuidedOps ops() {
    return ops;
  }

  /**
   * Guided gradients {@code [N, H, W, C]} of each image's class logit with respect to the input;
   * {@code classes[i] < 0} (or a null array) means image i's top-1 class.
   */
  public FloatTensor gradients(FloatTensor images, int @Nullable [] classes) {
    long n = images.rank() == model.inputShape().length - 1 ? 1 : images.dim(0);
    if (classes != null && classes.length != n) {
      throw new InvalidInputException(classes.length + " classes given for " + n + " images; give one per image");
    }
    List<Target> targets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      targets.add(classes == null || classes[i] < 0 ? Target.topClass() : Target.classIndex(classes[i]));
    }
    return gradients(images, targets);
  }

  /**
   * Guided gradients {@code [N, H, W, C]} of each image's target (one per image, or one for all; a
   * class is scored by its logit unless the target says otherwise). The chain starts at the logits,
   * so a similarity target compares the model output.
   */
  public FloatTensor gradients(FloatTensor images, List<Target> targets) {
    InvalidInputException.requireNonNull(images, "images");
    FloatTensor batch = images.rank() == model.inputShape().length - 1
        ? Batches.ofOne(images) : images;
    int n = (int) batch.dim(0);
    if (targets == null || targets.size() != n && targets.size() != 1) {
      throw new InvalidInputException((targets == null ? "no" : String.valueOf(targets.size())) + " targets given for "
          + n + " images; give one per image, or one for all");
    }
    List<Target> rows = targets.size() == n ? targets : Collections.nCopies(n, targets.get(0));
    return run(batch, rows).gradients();
  }

  /** One run's guided gradients, each row's score and the outputs (to resolve a top-class target). */
  record Run(FloatTensor gradients, float[] scores, float[] outputs) {}

  Run run(FloatTensor batch, List<Target> rows) {
    RowTargets feeds = RowTargets.of(ops.targets(), rows, ScoreKind.LOGIT);
    List<FloatTensor> out = feeds.feed(model.graph().newRun().feedInput(batch)).fetch(ops.inputGradient())
        .fetch(ops.targets().rowScores()).fetch(ops.targets().outputs()).run();
    return new Run(out.get(0), out.get(1).data(), out.get(2).data());
  }

  /** Guided Grad-CAM of one image: its guided gradients {@code [H, W, C]} times the map upsampled to H x W. */
  public static FloatTensor guidedGradCam(FloatTensor guidedGradients, Heatmap heatmap) {
    FloatTensor g = guidedGradients.rank() == 4 ? guidedGradients.slice(0) : guidedGradients;
    int h = (int) g.dim(0);
    int w = (int) g.dim(1);
    int c = (int) g.dim(2);
    float[] cam = heatmap.upsampled(h, w).data();
    float[] out = new float[g.data().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = g.data()[i] * cam[i / c];
    }
    return FloatTensor.of(out, h, w, c);
  }

  /**
   * Gradients as a picture, as pytorch-grad-cam's {@code deprocess_image}: standardise, scale by
   * 0.1, centre on 0.5, clip to [0, 1], times 255; a constant input gives flat grey.
   */
  public static BufferedImage image(FloatTensor gradients) {
    FloatTensor g = gradients.rank() == 4 ? gradients.slice(0) : gradients;
    float[] d = g.data();
    double mean = 0;
    for (float v : d) {
      mean += v;
    }
    mean /= d.length;
    double var = 0;
    for (float v : d) {
      var += (v - mean) * (v - mean);
    }
    double std = Math.sqrt(var / d.length);
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      double x = (d[i] - mean) / (std + 1e-5) * 0.1 + 0.5;
      out[i] = (float) (Math.min(Math.max(x, 0), 1) * 255);
    }
    return dev.convlens.visualize.render.Images.rgb(new FloatTensor(g.shape(), out));
  }

  /** Under the model's write lock: the class score and the guided backward pass of {@link GuidedChain}. */
  private static GuidedOps build(KerasModel model, GraphScope scope) {
    ModelGraph g = scope.model();
    String output = TargetLayers.output(model, null);
    Operand<TFloat32> logits = TargetLayers.logitsLayer(model, output).preActivation();
    Ops ops = scope.ops("convlens_guided");
    TargetOps targets = TargetOps.build(ops, model, output, null);
    return new GuidedOps(targets, GuidedChain.inputGradient(model, scope, ops, targets.total(), logits));
  }
}
