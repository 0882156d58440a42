package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Any {@link AttributionMethod} as one call: images and targets in, one {@link Heatmap} per image
 * out, so that overlays, the server and the method comparison treat every method alike. A CAM
 * method's map is at its layer's resolution; an input-space method's at the input's, with
 * {@code raw} its per-pixel map (channels reduced as {@link InputMethod} says), {@code normalized}
 * its positive part over its maximum, and no channel weights. Immutable and thread-safe; the ops
 * are built on creation, so create attributors before serving.
 */
public final class Attributor {
  /** The {@link #layer()} of input-space methods. */
  public static final String INPUT = "input";

  private final KerasModel model;
  private final AttributionMethod method;
  private final @Nullable CamExplainer cam;
  private final @Nullable InputAttribution input;
  private final @Nullable GuidedBackprop guided;
  private final AttributionOptions inputOptions;

  private Attributor(KerasModel model, AttributionMethod method, @Nullable CamExplainer cam,
      @Nullable InputAttribution input, @Nullable GuidedBackprop guided, AttributionOptions inputOptions) {
    this.model = model;
    this.method = method;
    this.cam = cam;
    this.input = input;
    this.guided = guided;
    this.inputOptions = inputOptions;
  }

  /** {@code method} with its defaults (a CAM method at the default layer). */
  public static Attributor of(KerasModel model, AttributionMethod method) {
    return of(model, method, CamOptions.defaults(), AttributionOptions.defaults());
  }

  /**
   * {@code method} with {@code camOptions} (its method replaced by {@code method} when that is a CAM
   * method) or {@code inputOptions} (their target is replaced per call).
   */
  public static Attributor of(KerasModel model, AttributionMethod method, CamOptions camOptions,
      AttributionOptions inputOptions) {
    InvalidInputException.requireNonNull(model, "model");
    InvalidInputException.requireNonNull(method, "method");
    InvalidInputException.requireNonNull(camOptions, "camOptions");
    InvalidInputException.requireNonNull(inputOptions, "inputOptions");
    if (method instanceof CamMethod m) {
      return new Attributor(model, method, CamExplainer.of(model, camOptions.withMethod(m)), null, null, inputOptions);
    }
    return method == InputMethod.GUIDED
        ? new Attributor(model, method, null, null, GuidedBackprop.of(model), inputOptions)
        : new Attributor(model, method, null, InputAttribution.of(model), null, inputOptions);
  }

  public AttributionMethod method() {
    return method;
  }

  /** The CAM layer's path, or {@link #INPUT}. */
  public String layer() {
    return cam != null ? cam.layer() : INPUT;
  }

  /** This attributor stopping when {@code cancellation} does: a cheap copy for a deadline per request. */
  public Attributor withCancellation(Cancellation cancellation) {
    return new Attributor(model, method, cam == null ? null : cam.withCancellation(cancellation), input, guided,
        inputOptions.withCancellation(cancellation));
  }

  /**
   * One map per image of {@code images} ({@code [N, H, W, C]} or one image), for {@code targets}
   * (one per image, or one for all). CAM methods run as {@link CamExplainer#explain(FloatTensor, List)};
   * input-space methods image by image, plus one forward pass of the batch for the predictions.
   */
  public List<Heatmap> explain(FloatTensor images, List<Target> targets) {
    if (cam != null) {
      return cam.explain(images, targets);
    }
    FloatTensor batch = images != null && images.rank() == model.inputShape().length - 1
        ? Batches.ofOne(images) : images;
    if (batch == null || targets == null || targets.size() != 1 && targets.size() != batch.dim(0)) {
      throw new InvalidInputException("give images and one target per image, or one for all");
    }
    float[] outputs = model.graph().newRun().feedInput(batch).fetch(model.graph().output())
        .cancellation(inputOptions.cancellation()).run().get(0).data();
    int n = (int) batch.dim(0);
    int size = outputs.length / n;
    List<Heatmap> maps = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Target t = targets.get(targets.size() == 1 ? 0 : i);
      float[] p = Arrays.copyOfRange(outputs, i * size, (i + 1) * size);
      maps.add(inputMap(batch.slice(i), t, FloatTensor.of(p, size)));
    }
    return List.copyOf(maps);
  }

  private Heatmap inputMap(FloatTensor image, Target target, FloatTensor predictions) {
    AttributionOptions options = inputOptions.withTarget(target);
    int h = (int) image.dim(0);
    int w = (int) image.dim(1);
    float[] raw;
    Target resolved;
    float score;
    if (method == InputMethod.SALIENCY) {
      Saliency s = java.util.Objects.requireNonNull(input).saliency(image, options);
      raw = s.map().data();
      resolved = s.target();
      score = s.score();
    } else if (method == InputMethod.INTEGRATED_GRADIENTS) {
      IntegratedGradients ig = java.util.Objects.requireNonNull(input).integratedGradients(image, options);
      raw = channelSum(ig.attributions());
      resolved = ig.target();
      score = ig.score();
    } else if (method == InputMethod.SMOOTHGRAD) {
      SmoothGrad sg = java.util.Objects.requireNonNull(input).smoothGrad(image, options);
      raw = sg.map().data();
      resolved = sg.target();
      score = sg.score();
    } else if (method == InputMethod.OCCLUSION) {
      Occlusion o = java.util.Objects.requireNonNull(input).occlusion(image, options);
      raw = o.map().data();
      resolved = o.target();
      score = o.score();
    } else {
      GuidedBackprop.Run run = java.util.Objects.requireNonNull(guided)
          .run(Batches.ofOne(image), List.of(target));
      raw = channelMaxAbs(run.gradients().slice(0));
      resolved = RowTargets.of(guidedTargets(), List.of(target), ScoreKind.LOGIT).resolved(0, run.outputs(), 0);
      score = run.scores()[0];
    }
    int c = RowTargets.classOf(resolved);
    float[] normalized = Heatmap.normalize(raw);
    boolean degenerate = true;
    for (float v : normalized) {
      degenerate &= v == 0;
    }
    return new Heatmap(c, c >= 0 && c < predictions.size() ? predictions.data()[c] : 0, predictions,
        FloatTensor.of(raw, h, w), FloatTensor.of(normalized, h, w), FloatTensor.of(new float[0], 0), degenerate,
        resolved, score);
  }

  private TargetOps guidedTargets() {
    return java.util.Objects.requireNonNull(guided).ops().targets();
  }

  private static float[] channelSum(FloatTensor x) {
    int c = (int) x.dim(2);
    float[] d = x.data();
    float[] out = new float[d.length / c];
    for (int i = 0; i < d.length; i++) {
      out[i / c] += d[i];
    }
    return out;
  }

  private static float[] channelMaxAbs(FloatTensor x) {
    int c = (int) x.dim(2);
    float[] d = x.data();
    float[] out = new float[d.length / c];
    for (int i = 0; i < d.length; i++) {
      out[i / c] = Math.max(out[i / c], Math.abs(d[i]));
    }
    return out;
  }

}
