package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ModelRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Explains a model's classes with class activation maps: take the model once, then call
 * {@link #explain} many times with different images and classes. The gradient ops are built on
 * creation (once per model, layer and score kind, shared by every explainer of that model and
 * freed with the model), so explaining never changes the graph; one session run serves a whole
 * batch, one class per row. Explainers are immutable and serve concurrent callers.
 *
 * <p><b>Create explainers before serving.</b> Creating the first explainer of a (layer, score
 * kind) adds ops to the model's graph: that waits for every run in flight, holds new ones back, and
 * makes the next run of every caller re-plan the graph. A service should create every explainer it
 * will use (each layer and method) at start-up, before it takes requests. After the model is
 * closed, {@link #of} and {@link #explain} throw {@code ModelClosedException}.
 *
 * <pre>{@code
 * CamExplainer cam = CamExplainer.of(model);                    // book Grad-CAM, default layer
 * Heatmap h = cam.explain(x).get(0);                            // top-1 class of the first image
 * Images.write(Overlay.superimpose(photo, h, Colormap.JET, Overlay.BOOK_ALPHA), out);
 * }</pre>
 */
public final class CamExplainer {
  private final KerasModel model;
  private final CamOptions options;
  private final String layer;
  private final CamAlgorithm algorithm;
  private final CamOps ops;
  private final String output;

  private CamExplainer(KerasModel model, CamOptions options) {
    this.model = model;
    this.options = options;
    this.layer = options.layer() == null ? TargetLayers.defaultLayer(model)
        : TargetLayers.checkedLayer(model, options.layer());
    this.algorithm = options.customMethod() != null ? new CustomCam.Algorithm(options.customMethod())
        : options.method().algorithm();
    this.output = TargetLayers.output(model, options.output());
    if (options.embedding() != null) {
      model.layer(options.embedding());
    }
    this.ops = CamOps.of(model, layer, output, options.embedding());
  }

  private CamExplainer(CamExplainer base, CamOptions options) {
    this.model = base.model;
    this.options = options;
    this.layer = base.layer;
    this.algorithm = base.algorithm;
    this.output = base.output;
    this.ops = base.ops;
  }

  /**
   * This explainer stopping when {@code cancellation} does ({@link CamOptions#withCancellation}):
   * a cheap copy sharing the ops, for a deadline per request on an explainer made at start-up.
   */
  public CamExplainer withCancellation(Cancellation cancellation) {
    return new CamExplainer(this, options.withCancellation(cancellation));
  }

  /** The book's Grad-CAM at the last 4-D layer before the classifier. */
  public static CamExplainer of(KerasModel model) {
    return of(model, CamOptions.defaults());
  }

  /**
   * An explainer for {@code options}: checks the layer and builds the method's gradient ops now
   * (unless another explainer of the model already did for the same layer and score kind), so that
   * {@link #explain} only runs the graph.
   *
   * @throws dev.convlens.bridge.InvalidInputException naming the layer when it has no 4-D output
   * @throws dev.convlens.bridge.ModelClosedException when the model is closed
   */
  public static CamExplainer of(KerasModel model, CamOptions options) {
    if (model == null || options == null) {
      throw new InvalidInputException("model and options must not be null");
    }
    return new CamExplainer(model, options);
  }

  /**
   * The layers a map is best computed on: every layer with a 4-D output of more than one position
   * that computes it (not a pooling, dropout, padding or reshape layer), in build order. The last
   * is the default layer. Other layers with 4-D outputs are accepted too.
   */
  public static List<String> layers(KerasModel model) {
    InvalidInputException.requireNonNull(model, "model");
    return List.copyOf(TargetLayers.candidates(model));
  }

  /** The target layer's path, e.g. {@code conv_pw_13_relu} or {@code vgg16/block5_conv3}. */
  public String layer() {
    return layer;
  }

  public CamOptions options() {
    return options;
  }

  /** The map of each image's top-1 class; {@code images} is a batch {@code [N,H,W,C]} or one image {@code [H,W,C]}. */
  public List<Heatmap> explain(FloatTensor images) {
    return explain(images, List.of(Target.topClass()));
  }

  /**
   * The map of {@code classes[i]} for image {@code i}, scored as the method scores; a negative
   * entry (or a null array) means that image's top-1 class.
   */
  public List<Heatmap> explain(FloatTensor images, int @Nullable [] classes) {
    if (classes == null) {
      return explain(images);
    }
    List<Target> targets = new ArrayList<>(classes.length);
    for (int c : classes) {
      targets.add(c < 0 ? Target.topClass() : Target.classIndex(c));
    }
    return explain(images, targets);
  }

  /**
   * The map of {@code targets.get(i)} for image {@code i} (one target per image, or one for all).
   *
   * <p>Cost: the gradient methods run the graph once for the whole batch, about a {@code predict}
   * (the backward pass only goes back to the target layer; {@code convlens bench gradcam} on VGG16:
   * 0.94x to 1.12x); Eigen-CAM runs only the forward pass, plus an SVD (1.6x); Score-CAM runs it once
   * more per {@link CamOptions#scoreCamBatchSize()} masks of every image: channels x images / batch
   * size runs, the long call (528x; Faster-Score-CAM: N instead of all channels, 11.5x); Ablation-CAM
   * runs the layers after the target once per batch of ablated channels (1.9x); aug smoothing does
   * all of it for six versions of each image, in two calls. Every run checks
   * {@link CamOptions#cancellation()} (and the thread's interrupt flag) before it starts; a run
   * once started runs to its end.
   *
   * @throws InvalidInputException naming the target the model's output cannot give
   * @throws dev.convlens.bridge.CancelledException when stopped; the model stays usable
   */
  public List<Heatmap> explain(FloatTensor images, List<Target> targets) {
    FloatTensor batch = batchOf(images);
    int n = (int) batch.dim(0);
    if (targets == null || targets.isEmpty() || targets.size() != n && targets.size() != 1 || hasNull(targets)) {
      throw new InvalidInputException((targets == null ? "no" : String.valueOf(targets.size())) + " targets given for "
          + n + " images; give one per image, or one for all");
    }
    int[] rowImage = new int[n];
    List<Target> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rowImage[i] = i;
      rows.add(targets.get(targets.size() == 1 ? 0 : i));
    }
    return compute(batch, rowImage, rows);
  }

  /** Several classes of one image ({@code [H,W,C]} or a batch of one), in one run. */
  public List<Heatmap> explainClasses(FloatTensor image, int... classes) {
    List<Target> targets = new ArrayList<>(classes.length);
    for (int c : classes) {
      targets.add(Target.classIndex(c));
    }
    return explainTargets(image, targets);
  }

  /** Several targets of one image ({@code [H,W,C]} or a batch of one), in one run (Score-CAM: one set of masked passes). */
  public List<Heatmap> explainTargets(FloatTensor image, List<Target> targets) {
    FloatTensor batch = batchOf(image);
    if (batch.dim(0) != 1) {
      throw new InvalidInputException("explainTargets takes one image, got a batch of " + batch.dim(0));
    }
    if (targets == null || targets.isEmpty() || hasNull(targets)) {
      throw new InvalidInputException("no targets given");
    }
    return compute(batch, new int[targets.size()], List.copyOf(targets));
  }

  /** List.of(...).contains(null) throws, so look for nulls one by one. */
  private static boolean hasNull(List<Target> targets) {
    return targets.stream().anyMatch(java.util.Objects::isNull);
  }

  private FloatTensor batchOf(FloatTensor images) {
    if (images == null) {
      throw new InvalidInputException("images are null");
    }
    long[] expected = model.inputShape();
    FloatTensor batch = images.rank() == expected.length - 1
        ? Batches.ofOne(images) : images;
    boolean ok = batch.rank() == expected.length && batch.dim(0) > 0;
    for (int i = 1; ok && i < expected.length; i++) {
      ok = expected[i] < 0 || expected[i] == batch.dim(i);
    }
    if (!ok) {
      throw new InvalidInputException("model '" + model.name() + "' expects images of shape "
          + Arrays.toString(expected) + " (batch axis -1, or one image without it), got " + Arrays.toString(images.shape()));
    }
    return batch;
  }

  private List<Heatmap> compute(FloatTensor images, int[] rowImage, List<Target> targets) {
    return options.augSmooth() ? AugSmooth.maps(this::plainMaps, images, rowImage, targets)
        : plainMaps(images, rowImage, targets);
  }

  private List<Heatmap> plainMaps(FloatTensor images, int[] rowImage, List<Target> targets) {
    if (algorithm instanceof AblationCam) {
      // Ablation-CAM scores what pytorch-grad-cam scores, the logit, but runs no gradient.
      return ablationMaps(images, rowImage, RowTargets.of(ops.targets(), targets, ScoreKind.LOGIT));
    }
    RowTargets rows = RowTargets.of(ops.targets(), targets, algorithm.score());
    return algorithm.score() != ScoreKind.NONE ? gradientMaps(images, rowImage, rows) : scoreMaps(images, rowImage, rows);
  }

  private List<Heatmap> gradientMaps(FloatTensor images, int[] rowImage, RowTargets targets) {
    int rows = rowImage.length;
    ModelRun run = targets.feed(model.graph().newRun().feedInput(gather(images, rowImage)));
    List<FloatTensor> out = run.fetch(ops.activations()).fetch(ops.gradients()).fetch(ops.targets().outputs())
        .fetch(ops.targets().rowScores()).cancellation(options.cancellation()).run();
    FloatTensor a = out.get(0);
    float[] g = out.get(1).data();
    float[] outputs = out.get(2).data();
    float[] scores = out.get(3).data();
    List<Heatmap> maps = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      LayerMaps m = layerMaps(a, g, r, () -> {
        throw new IllegalStateException("gradient methods do not score masked inputs");
      });
      maps.add(heatmap(m, outputs, r, targets.resolved(r, outputs, r), scores[r]));
    }
    return List.copyOf(maps);
  }

  /** Gradient-free methods: one forward pass of the images, then (Score-CAM) the masked passes each target scores. */
  private List<Heatmap> scoreMaps(FloatTensor images, int[] rowImage, RowTargets asked) {
    TargetOps t = ops.targets();
    List<FloatTensor> out = model.graph().newRun().feedInput(images).fetch(ops.activations()).fetch(t.outputs())
        .fetch(t.logits()).fetch(t.embedding()).cancellation(options.cancellation()).run();
    FloatTensor a = out.get(0);
    float[] outputs = out.get(1).data();
    RowTargets targets = asked.resolved(outputs, rowImage);
    ScoreCamMasks masks = new ScoreCamMasks(model, t, targets, images, a, options.scoreCamBatchSize(),
        options.listener(), options.cancellation(), maskedChannels());
    List<Heatmap> maps = new ArrayList<>(rowImage.length);
    for (int r = 0; r < rowImage.length; r++) {
      int row = r;
      int image = rowImage[r];
      LayerMaps m = layerMaps(a, null, image, () -> masks.scoreIncrease(row, image));
      double score = targets.score(r, outputs, out.get(2).data(), out.get(3).data(), image);
      maps.add(heatmap(m, outputs, image, targets.resolved(r, outputs, image), (float) score));
    }
    return List.copyOf(maps);
  }

  /** Score-CAM masks every channel; Faster-Score-CAM the N of largest variance. */
  private int maskedChannels() {
    return algorithm instanceof FasterScoreCam ? options.fasterScoreCamChannels() : Integer.MAX_VALUE;
  }

  /** Ablation-CAM: the images' activations, then one fed run per {@link CamOptions#scoreCamBatchSize()} ablated channels. */
  private List<Heatmap> ablationMaps(FloatTensor images, int[] rowImage, RowTargets asked) {
    TargetOps t = ops.targets();
    List<FloatTensor> out = model.graph().newRun().feedInput(images).fetch(ops.activations()).fetch(t.outputs())
        .cancellation(options.cancellation()).run();
    FloatTensor a = out.get(0);
    float[] outputs = out.get(1).data();
    RowTargets targets = asked.resolved(outputs, rowImage);
    AblationRuns runs = new AblationRuns(model, ops, targets, images, a, options.scoreCamBatchSize(), options.listener(),
        options.cancellation());
    List<Heatmap> maps = new ArrayList<>(rowImage.length);
    for (int r = 0; r < rowImage.length; r++) {
      int row = r;
      int image = rowImage[r];
      LayerMaps m = layerMaps(a, null, image, () -> runs.relativeDrops(row, image));
      maps.add(heatmap(m, outputs, image, targets.resolved(r, outputs, image), (float) runs.score(row, image)));
    }
    return List.copyOf(maps);
  }

  private Heatmap heatmap(LayerMaps m, float[] outputs, int outputRow, Target target, float score) {
    double[] w = algorithm.weights(m);
    float[] raw = options.eigenSmooth() ? algorithm.eigenSmoothedMap(m, w) : algorithm.map(m, w);
    float[] normalized = Heatmap.normalize(raw);
    boolean degenerate = true;
    for (float v : normalized) {
      degenerate &= v == 0;
    }
    float[] weights = new float[w.length];
    for (int k = 0; k < w.length; k++) {
      weights[k] = (float) w[k];
    }
    int size = ops.targets().outputSize();
    float[] p = Arrays.copyOfRange(outputs, outputRow * size, (outputRow + 1) * size);
    int c = RowTargets.classOf(target);
    return new Heatmap(c, c >= 0 ? p[c] : 0, new FloatTensor(ops.targets().outputShape().clone(), p),
        FloatTensor.of(raw, m.height, m.width), FloatTensor.of(normalized, m.height, m.width),
        FloatTensor.of(weights, weights.length), degenerate, target, score);
  }

  private static LayerMaps layerMaps(FloatTensor a, float @Nullable [] g, int row, Supplier<double[]> masked) {
    int h = (int) a.dim(1);
    int w = (int) a.dim(2);
    int k = (int) a.dim(3);
    return new LayerMaps(h, w, k, a.data(), g, row * h * w * k, masked);
  }

  /** The rows of the run: image {@code rowImage[r]} for row r (the batch itself when they are 0..N-1). */
  private static FloatTensor gather(FloatTensor images, int[] rowImage) {
    boolean identity = rowImage.length == images.dim(0);
    for (int r = 0; identity && r < rowImage.length; r++) {
      identity = rowImage[r] == r;
    }
    if (identity) {
      return images;
    }
    int size = (int) (images.size() / images.dim(0));
    float[] out = new float[rowImage.length * size];
    for (int r = 0; r < rowImage.length; r++) {
      System.arraycopy(images.data(), rowImage[r] * size, out, r * size, size);
    }
    long[] shape = images.shape().clone();
    shape[0] = rowImage.length;
    return new FloatTensor(shape, out);
  }

}
