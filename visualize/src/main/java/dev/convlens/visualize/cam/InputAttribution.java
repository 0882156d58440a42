package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Saliency, SmoothGrad and Integrated Gradients of a single-input, single-output model's {@link
 * Target} (by default the top class's logit, the pre-activation score; for a 1-unit sigmoid output,
 * unit 0) with respect to the model input, and occlusion. Make one per model: the first adds the
 * gradient op to the model's graph (once per model, freed with it), so create it before serving. Immutable and thread-safe; every call takes
 * one preprocessed image {@code [H, W, C]} (or a batch of one). SmoothGrad differentiates the same
 * score; occlusion scores the target on the model output (a class's probability by default).
 *
 * <pre>{@code
 * InputAttribution attr = InputAttribution.of(model);
 * Saliency s = attr.saliency(image, AttributionOptions.defaults());
 * IntegratedGradients ig = attr.integratedGradients(image, AttributionOptions.defaults().withSteps(100));
 * SmoothGrad sg = attr.smoothGrad(image, AttributionOptions.defaults().withSamples(25).withSeed(1));
 * Occlusion o = attr.occlusion(image, AttributionOptions.defaults().withPatch(32, 16));
 * }</pre>
 */
public final class InputAttribution {
  private final KerasModel model;
  private final InputOps ops;

  private InputAttribution(KerasModel model, InputOps ops) {
    this.model = model;
    this.ops = ops;
  }

  /** @throws InvalidInputException when the model has several inputs or outputs */
  public static InputAttribution of(KerasModel model) {
    if (model == null) {
      throw new InvalidInputException("input attribution: model is null");
    }
    return new InputAttribution(model, InputOps.of(model));
  }

  InputOps ops() {
    return ops;
  }

  /** Vanilla saliency of {@code image} for {@code options.target()} (the top class's logit by default): one graph run. */
  public Saliency saliency(FloatTensor image, AttributionOptions options) {
    FloatTensor x = oneImage(image);
    Point p = gradientAtImage(x, options);
    float[] g = p.gradient();
    int c = (int) x.dim(2);
    int positions = g.length / c;
    float[] map = new float[positions];
    for (int i = 0; i < positions; i++) {
      float m = 0;
      for (int k = 0; k < c; k++) {
        m = Math.max(m, Math.abs(g[i * c + k]));
      }
      map[i] = m;
    }
    return new Saliency(FloatTensor.of(map, x.dim(0), x.dim(1)), FloatTensor.of(minMaxScaled(map), x.dim(0), x.dim(1)),
        RowTargets.classOf(p.target()), p.score(), p.target());
  }

  /**
   * Integrated Gradients of {@code image} against {@code options.baseline()} (zeros by default):
   * with {@code alpha_k = k / steps}, {@code (x - b) * mean_k (g(b + alpha_k (x - b)) + g(b +
   * alpha_{k+1} (x - b))) / 2}. The top class is decided at the image; one run for the image, then the
   * other {@code steps} points in runs of {@code options.batchSize()}, each checking the cancellation.
   */
  public IntegratedGradients integratedGradients(FloatTensor image, AttributionOptions options) {
    FloatTensor x = oneImage(image);
    float[] xs = x.data();
    float[] b = baseline(x, options);
    Point top = gradientAtImage(x, options);
    int steps = options.steps();
    double[] sum = new double[xs.length];
    accumulate(sum, top.gradient(), 0.5);
    float baselineScore = Float.NaN;
    for (int start = 0; start < steps; start += options.batchSize()) {
      int n = Math.min(options.batchSize(), steps - start);
      float[] points = new float[n * xs.length];
      for (int j = 0; j < n; j++) {
        double alpha = (double) (start + j) / steps;
        int off = j * xs.length;
        for (int i = 0; i < xs.length; i++) {
          points[off + i] = (float) (b[i] + alpha * ((double) xs[i] - b[i]));
        }
      }
      RowTargets rows = RowTargets.of(ops.targets(), Collections.nCopies(n, top.target()), ScoreKind.LOGIT);
      List<FloatTensor> out = rows.feed(model.graph().newRun().feedInput(new FloatTensor(Batches.shape(x, n), points)))
          .fetch(ops.inputGradient()).fetch(ops.targets().rowScores()).cancellation(options.cancellation()).run();
      float[] g = out.get(0).data();
      for (int j = 0; j < n; j++) {
        // Trapezoids: the two ends count half.
        double w = start + j == 0 ? 0.5 : 1.0;
        for (int i = 0, off = j * xs.length; i < xs.length; i++) {
          sum[i] += w * g[off + i];
        }
      }
      if (start == 0) {
        baselineScore = out.get(1).data()[0];
      }
    }
    float[] attributions = new float[xs.length];
    for (int i = 0; i < xs.length; i++) {
      attributions[i] = (float) (((double) xs[i] - b[i]) * sum[i] / steps);
    }
    return new IntegratedGradients(new FloatTensor(x.shape().clone(), attributions), RowTargets.classOf(top.target()),
        steps, top.score(), baselineScore, top.target());
  }

  /**
   * SmoothGrad of {@code image}: the mean input gradient of the target (the top class decided at
   * the image) over {@code options.samples()} copies with Gaussian noise of standard deviation {@code
   * options.noiseLevel() * (max(image) - min(image))}, seeded by {@code options.seed()}; one run at the
   * image, then the copies in runs of {@code options.batchSize()}, each checking the cancellation.
   */
  public SmoothGrad smoothGrad(FloatTensor image, AttributionOptions options) {
    return NoisyGradients.smoothGrad(model, this, oneImage(image), options);
  }

  /**
   * Occlusion sensitivity of {@code image}: {@code options.patch()} squares every {@code
   * options.stride()} pixels filled with {@code options.fill()}, scored by the target on the model
   * output (a class's probability by default); forward passes only, in runs of {@code
   * options.batchSize()} images, each checking the cancellation.
   */
  public Occlusion occlusion(FloatTensor image, AttributionOptions options) {
    return PatchOcclusion.occlusion(model, ops, oneImage(image), options);
  }

  /** The plain gradient {@code d score / d x [H, W, C]} of the target. */
  FloatTensor gradient(FloatTensor image, AttributionOptions options) {
    FloatTensor x = oneImage(image);
    return new FloatTensor(x.shape().clone(), gradientAtImage(x, options).gradient());
  }

  /** One run at the image: its target (the top class resolved), score and gradient. */
  Point gradientAtImage(FloatTensor x, AttributionOptions options) {
    RowTargets rows = RowTargets.of(ops.targets(), List.of(options.target()), ScoreKind.LOGIT);
    List<FloatTensor> out = rows.feed(model.graph().newRun().feedInput(Batches.ofOne(x)))
        .fetch(ops.inputGradient()).fetch(ops.targets().rowScores()).fetch(ops.targets().outputs())
        .cancellation(options.cancellation()).run();
    return new Point(out.get(0).data(), rows.resolved(0, out.get(2).data(), 0), out.get(1).data()[0]);
  }

  record Point(float[] gradient, Target target, float score) {}

  /** {@code image} as one {@code [H, W, C]} image; the model input's shape is checked by the run. */
  private FloatTensor oneImage(FloatTensor image) {
    if (image == null) {
      throw new InvalidInputException("input attribution: image is null");
    }
    if (image.rank() == 4 && image.dim(0) == 1) {
      return image.slice(0);
    }
    if (image.rank() != 3) {
      throw new InvalidInputException("input attribution takes one image [H, W, C] or a batch of one [1, H, W, C];"
          + " got shape " + Arrays.toString(image.shape()) + " for model '" + model.name() + "'");
    }
    return image;
  }

  private static float[] baseline(FloatTensor x, AttributionOptions options) {
    FloatTensor b = options.baseline();
    if (b == null) {
      return new float[x.data().length];
    }
    FloatTensor one = b.rank() == 4 && b.dim(0) == 1 ? b.slice(0) : b;
    if (!Arrays.equals(one.shape(), x.shape())) {
      throw new InvalidInputException("Integrated Gradients baseline has shape " + Arrays.toString(b.shape())
          + "; expected the image's " + Arrays.toString(x.shape()));
    }
    return one.data();
  }

  private static void accumulate(double[] sum, float[] g, double w) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += w * g[i];
    }
  }

  static float[] minMaxScaled(float[] v) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float f : v) {
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    float[] out = new float[v.length];
    if (max > min) {
      for (int i = 0; i < v.length; i++) {
        out[i] = (v[i] - min) / (max - min);
      }
    }
    return out;
  }
}
