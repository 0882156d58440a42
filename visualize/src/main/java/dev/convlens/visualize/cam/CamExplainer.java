package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

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
  private final @Nullable CamOps ops;
  private final String output;
  private final int classes;

  private CamExplainer(KerasModel model, CamOptions options) {
    this.model = model;
    this.options = options;
    this.layer = options.layer() == null ? TargetLayers.defaultLayer(model)
        : TargetLayers.checkedLayer(model, options.layer());
    this.algorithm = options.customMethod() != null ? new CustomCam.Algorithm(options.customMethod())
        : options.method().algorithm();
    this.output = TargetLayers.output(model, options.output());
    this.classes = CamOps.outputClasses(model.graph(), output);
    this.ops = algorithm.score() == ScoreKind.NONE ? null : CamOps.of(model, layer, algorithm.score(), output);
  }

  private CamExplainer(CamExplainer base, CamOptions options) {
    this.model = base.model;
    this.options = options;
    this.layer = base.layer;
    this.algorithm = base.algorithm;
    this.output = base.output;
    this.classes = base.classes;
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
    return explain(images, null);
  }

  /**
   * The map of {@code classes[i]} for image {@code i}; a negative entry (or a null array) means
   * that image's top-1 class.
   *
   * <p>Cost: the gradient methods run the graph once for the whole batch, about a {@code predict}
   * (the backward pass only goes back to the target layer; {@code convlens bench gradcam}: 1.01x on
   * VGG16); Eigen-CAM runs only the forward pass; Score-CAM runs it once more per {@link CamOptions#scoreCamBatchSize()}
   * masks of every image: channels x images / batch size runs, the long call (Faster-Score-CAM: N
   * instead of all channels); Ablation-CAM runs the layers after the target once per batch of
   * ablated channels (MobileNet-0.25 at 128: 70 ms against Score-CAM's 1.47 s); aug smoothing does
   * all of it for six versions of each image, in two calls. Every run checks
   * {@link CamOptions#cancellation()} (and the thread's interrupt flag) before it starts; a run
   * once started runs to its end.
   *
   * @throws dev.convlens.bridge.CancelledException when stopped; the model stays usable
   */
  public List<Heatmap> explain(FloatTensor images, int @Nullable [] classes) {
    FloatTensor batch = batchOf(images);
    int n = (int) batch.dim(0);
    if (classes != null && classes.length != n) {
      throw new InvalidInputException(classes.length + " classes given for " + n + " images; give one per image");
    }
    int[] rowImage = new int[n];
    int[] rowClass = new int[n];
    for (int i = 0; i < n; i++) {
      rowImage[i] = i;
      rowClass[i] = classes == null ? -1 : checkClass(classes[i]);
    }
    return compute(batch, rowImage, rowClass);
  }

  /** Several classes of one image ({@code [H,W,C]} or a batch of one), in one run. */
  public List<Heatmap> explainClasses(FloatTensor image, int... classes) {
    FloatTensor batch = batchOf(image);
    if (batch.dim(0) != 1) {
      throw new InvalidInputException("explainClasses takes one image, got a batch of " + batch.dim(0));
    }
    if (classes.length == 0) {
      throw new InvalidInputException("no classes given");
    }
    int[] rowClass = new int[classes.length];
    for (int i = 0; i < classes.length; i++) {
      rowClass[i] = checkClass(classes[i]);
    }
    return compute(batch, new int[classes.length], rowClass);
  }

  private int checkClass(int c) {
    if (c >= classes) {
      throw new InvalidInputException("class index " + c + " is outside 0.." + (classes - 1) + " of model '"
          + model.name() + "'");
    }
    return c;
  }

  private FloatTensor batchOf(FloatTensor images) {
    if (images == null) {
      throw new InvalidInputException("images are null");
    }
    long[] expected = model.inputShape();
    FloatTensor batch = images.rank() == expected.length - 1
        ? new FloatTensor(prepend(1, images.shape()), images.data()) : images;
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

  private List<Heatmap> compute(FloatTensor images, int[] rowImage, int[] rowClass) {
    return options.augSmooth() ? AugSmooth.maps(this::plainMaps, images, rowImage, rowClass)
        : plainMaps(images, rowImage, rowClass);
  }

  private List<Heatmap> plainMaps(FloatTensor images, int[] rowImage, int[] rowClass) {
    if (algorithm instanceof AblationCam) {
      return ablationMaps(images, rowImage, rowClass);
    }
    return ops != null ? gradientMaps(images, rowImage, rowClass) : scoreMaps(images, rowImage, rowClass);
  }

  private List<Heatmap> gradientMaps(FloatTensor images, int[] rowImage, int[] rowClass) {
    int rows = rowImage.length;
    float[] select = new float[rows * classes];
    for (int r = 0; r < rows; r++) {
      if (rowClass[r] >= 0) {
        select[r * classes + rowClass[r]] = 1;
      }
    }
    FloatTensor input = gather(images, rowImage);
    List<FloatTensor> out = model.graph().newRun().feedInput(input).feed(Objects.requireNonNull(ops).select(), FloatTensor.of(select, rows, classes))
        .fetch(ops.activations()).fetch(ops.gradients()).fetch(ops.probabilities()).cancellation(options.cancellation()).run();
    FloatTensor a = out.get(0);
    FloatTensor g = out.get(1);
    FloatTensor probs = out.get(2);
    List<Heatmap> maps = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      LayerMaps m = layerMaps(a, g.data(), r, () -> {
        throw new IllegalStateException("gradient methods do not score masked inputs");
      });
      maps.add(heatmap(m, probs, r, rowClass[r]));
    }
    return List.copyOf(maps);
  }

  private List<Heatmap> scoreMaps(FloatTensor images, int[] rowImage, int[] rowClass) {
    ModelGraph g = model.graph();
    Operand<TFloat32> target = g.layer(layer).output();
    List<FloatTensor> out = g.newRun().feedInput(images).fetch(target).fetch(g.output(output))
        .cancellation(options.cancellation()).run();
    FloatTensor a = out.get(0);
    FloatTensor probs = reshape2d(out.get(1));
    ScoreCamMasks masks = new ScoreCamMasks(model, output, images, a, options.scoreCamBatchSize(), options.listener(),
        distinctCount(rowImage), options.cancellation(), maskedChannels());
    List<Heatmap> maps = new ArrayList<>(rowImage.length);
    for (int r = 0; r < rowImage.length; r++) {
      int image = rowImage[r];
      int c = rowClass[r] >= 0 ? rowClass[r] : argmax(probs, image);
      LayerMaps m = layerMaps(a, null, image, () -> masks.scoreIncrease(image, c));
      maps.add(heatmap(m, probs, image, c));
    }
    return List.copyOf(maps);
  }

  /** Score-CAM masks every channel; Faster-Score-CAM the N of largest variance. */
  private int maskedChannels() {
    return algorithm instanceof FasterScoreCam ? options.fasterScoreCamChannels() : Integer.MAX_VALUE;
  }

  /** Ablation-CAM: one fed run per {@link CamOptions#scoreCamBatchSize()} ablated channels of each image. */
  private List<Heatmap> ablationMaps(FloatTensor images, int[] rowImage, int[] rowClass) {
    ModelGraph g = model.graph();
    List<FloatTensor> out = g.newRun().feedInput(images).fetch(g.layer(layer).output()).fetch(g.output(output))
        .cancellation(options.cancellation()).run();
    FloatTensor a = out.get(0);
    FloatTensor probs = reshape2d(out.get(1));
    AblationRuns runs = new AblationRuns(model, layer, output, images, a, options.scoreCamBatchSize(), options.listener(),
        distinctCount(rowImage), options.cancellation());
    List<Heatmap> maps = new ArrayList<>(rowImage.length);
    for (int r = 0; r < rowImage.length; r++) {
      int image = rowImage[r];
      int c = rowClass[r] >= 0 ? rowClass[r] : argmax(probs, image);
      maps.add(heatmap(layerMaps(a, null, image, () -> runs.relativeDrops(image, c)), probs, image, c));
    }
    return List.copyOf(maps);
  }

  private Heatmap heatmap(LayerMaps m, FloatTensor probs, int row, int requestedClass) {
    int c = requestedClass >= 0 ? requestedClass : argmax(probs, row);
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
    float[] p = Arrays.copyOfRange(probs.data(), row * classes, (row + 1) * classes);
    return new Heatmap(c, p[c], FloatTensor.of(p, classes), FloatTensor.of(raw, m.height, m.width),
        FloatTensor.of(normalized, m.height, m.width), FloatTensor.of(weights, weights.length), degenerate);
  }

  private static LayerMaps layerMaps(FloatTensor a, float @Nullable [] g, int row, Supplier<double[]> masked) {
    int h = (int) a.dim(1);
    int w = (int) a.dim(2);
    int k = (int) a.dim(3);
    return new LayerMaps(h, w, k, a.data(), g, row * h * w * k, masked);
  }

  private FloatTensor reshape2d(FloatTensor output) {
    return new FloatTensor(new long[] {output.size() / classes, classes}, output.data());
  }

  private int argmax(FloatTensor probs, int row) {
    int best = 0;
    float[] d = probs.data();
    for (int c = 1; c < classes; c++) {
      if (d[row * classes + c] > d[row * classes + best]) {
        best = c;
      }
    }
    return best;
  }

  private static int distinctCount(int[] rowImage) {
    return (int) Arrays.stream(rowImage).distinct().count();
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

  private static long[] prepend(long first, long[] rest) {
    long[] s = new long[rest.length + 1];
    s[0] = first;
    System.arraycopy(rest, 0, s, 1, rest.length);
    return s;
  }
}
