package dev.convlens.visualize.filters;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Filter visualization by gradient ascent in input space (the book's listing 5.38) for one layer
 * of a model: {@code of(model, "block3_conv1").run(List.of(0, 1, 2), FilterOptions.defaults())}.
 *
 * <p>Filters are optimized together, a batch whose i-th image maximizes the i-th filter
 * (whole-layer mode), in batches sized to {@link FilterOptions#memoryBudgetBytes()}; the result is
 * the same as running them one by one ({@link FilterOptions#oneByOne()}). The gradient ops are
 * added to the model's graph once per (model, layer) and reused by every visualizer of that
 * layer. Instances are immutable and may be shared between threads.
 *
 * <p>Adding ops to a model's graph waits for its runs in flight and makes the next runs re-plan:
 * a service creates its visualizers, and calls {@link #prepare} for options with
 * {@link FilterOptions#preActivation()}, before serving.
 */
public final class FilterVisualizer {
  /** The book's {@code generate_pattern} default size, used when the model's input size is open. */
  static final int OPEN_INPUT_DEFAULT_SIZE = 150;

  private final KerasModel model;
  private final LayerInfo layer;
  private final int channels;
  private final long bytesPerImage;

  private FilterVisualizer(KerasModel model, LayerInfo layer, long bytesPerImage) {
    this.model = model;
    this.layer = layer;
    this.channels = (int) layer.outputShape()[3];
    this.bytesPerImage = bytesPerImage;
  }

  /**
   * A visualizer for a layer with a 4-D {@code (batch, height, width, channels)} output, by name or
   * nested path. Builds the gradient ops the first time a (model, layer) is asked for (those of
   * {@link FilterOptions#preActivation()} on first use, or by {@link #prepare}).
   *
   * @throws InvalidInputException naming the layer when it is unknown or its output is not 4-D,
   *     or when the model's input is not an image batch
   */
  public static FilterVisualizer of(KerasModel model, String layerName) {
    if (model == null) {
      throw new InvalidInputException("filter visualization: model is null");
    }
    LayerInfo info = model.layer(layerName);
    if (!info.isSpatial()) {
      String spatial = model.layers().stream().filter(LayerInfo::isSpatial).map(LayerInfo::name)
          .collect(Collectors.joining(", "));
      throw new InvalidInputException("layer '" + layerName + "' of model '" + model.name() + "' has output shape "
          + shape(info.outputShape()) + "; filter visualization needs a 4-D (batch, height, width, channels) output."
          + " Layers that have one: " + spatial);
    }
    long[] in = model.inputShape();
    if (in.length != 4 || in[3] < 1) {
      throw new InvalidInputException("model '" + model.name() + "' has input shape " + shape(in)
          + "; filter visualization needs an image input (batch, height, width, channels)");
    }
    LayerGradient.of(model, info.path(), false);
    return new FilterVisualizer(model, info, bytesPerImage(model, info));
  }

  /**
   * Builds now the gradient ops that runs with {@code options} will use (those before the
   * activation, for {@link FilterOptions#preActivation()}), so that no run adds ops later.
   */
  public FilterVisualizer prepare(FilterOptions options) {
    if (options == null) {
      throw new InvalidInputException("filter visualization: options are null (use FilterOptions.defaults())");
    }
    LayerGradient.of(model, layer.path(), options.preActivation());
    return this;
  }

  /** The layer's nested path, e.g. {@code block3_conv1}. */
  public String layer() {
    return layer.path();
  }

  /** The number of filters (output channels) of the layer; valid indices are 0 to this minus 1. */
  public int filterCount() {
    return channels;
  }

  /** {@link #run(List, FilterOptions, FilterListener)} for one filter. */
  public FilterResult run(int filter, FilterOptions options) {
    return run(List.of(filter), options, FilterListener.NONE).get(0);
  }

  public List<FilterResult> run(List<Integer> filters, FilterOptions options) {
    return run(filters, options, FilterListener.NONE);
  }

  /**
   * Visualizes {@code filters} (results in the same order). All arguments are checked before any
   * graph run.
   *
   * @throws InvalidInputException naming the layer and the valid range when a filter index is out
   *     of range, or when the size or start image does not fit the model
   */
  public List<FilterResult> run(List<Integer> filters, FilterOptions options, @Nullable FilterListener listener) {
    if (filters == null || filters.isEmpty()) {
      throw new InvalidInputException("no filters given for layer '" + layer.path() + "' (valid: 0-" + (channels - 1) + ")");
    }
    for (Integer f : filters) {
      if (f == null || f < 0 || f >= channels) {
        throw new InvalidInputException("filter " + f + " is out of range for layer '" + layer.path() + "' of model '"
            + model.name() + "': it has " + channels + " filters, valid indices 0-" + (channels - 1));
      }
    }
    if (options == null) {
      throw new InvalidInputException("filter visualization: options are null (use FilterOptions.defaults())");
    }
    FilterListener progress = listener == null ? FilterListener.NONE : listener;
    int[] hw = imageSize(model, options.size(), OPEN_INPUT_DEFAULT_SIZE);
    int c = (int) model.inputShape()[3];
    float[] start = startImage(options, hw[0], hw[1], c);
    int batch = batchSize(options, hw[0], hw[1]);
    LayerGradient ops = LayerGradient.of(model, layer.path(), options.preActivation());
    Ascent ascent = new Ascent(model, ops, options, hw[0], hw[1], c, channels);
    List<FilterResult> results = new ArrayList<>(filters.size());
    int total = filters.size();
    for (int from = 0; from < total; from += batch) {
      int[] chunk = filters.subList(from, Math.min(total, from + batch)).stream().mapToInt(Integer::intValue).toArray();
      int done = from;
      results.addAll(ascent.run(chunk, start,
          (step, steps, loss) -> progress.onEvent(new FilterProgress(done, total, chunk.length, step, steps, loss))));
    }
    return List.copyOf(results);
  }

  /**
   * The picture height and width: the model's fixed input size (a {@code size} other than 0 must
   * equal it), or {@code size} (else {@code openDefault}) where the input size is open.
   */
  static int[] imageSize(KerasModel model, int size, int openDefault) {
    long[] in = model.inputShape();
    if (in[1] > 0 && in[2] > 0) {
      if (size != 0 && (size != in[1] || size != in[2])) {
        throw new InvalidInputException("size " + size + " does not fit model '" + model.name()
            + "': its input is fixed at " + in[1] + "x" + in[2] + " (use size 0, or rebuild the model at that size)");
      }
      return new int[] {(int) in[1], (int) in[2]};
    }
    int open = size != 0 ? size : openDefault;
    return new int[] {in[1] > 0 ? (int) in[1] : open, in[2] > 0 ? (int) in[2] : open};
  }

  /** The caller's start image, or the book's {@code random((1, h, w, c)) * 20 + 128} from the seed. */
  private float[] startImage(FilterOptions options, int h, int w, int c) {
    FloatTensor given = options.startImage();
    if (given == null) {
      SplittableRandom random = new SplittableRandom(options.seed());
      float[] x = new float[h * w * c];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (random.nextDouble() * 20 + 128);
      }
      return x;
    }
    long[] s = given.shape();
    long[] hwc = s.length == 4 ? Arrays.copyOfRange(s, 1, 4) : s;
    if (hwc[0] != h || hwc[1] != w || hwc[2] != c) {
      throw new InvalidInputException("start image " + Arrays.toString(s) + " does not fit model '" + model.name()
          + "': expected [" + h + ", " + w + ", " + c + "] or [1, " + h + ", " + w + ", " + c + "]");
    }
    return given.data().clone();
  }

  /** Images per batch: the option, else as many as the memory budget allows (at least one). */
  private int batchSize(FilterOptions options, int h, int w) {
    if (options.batchSize() > 0) {
      return options.batchSize();
    }
    long[] in = model.inputShape();
    // Layer shapes were taken at the model's input size; scale when an open input is given a size.
    double scale = in[1] > 0 && in[2] > 0 ? 1 : (double) h * w / (OPEN_INPUT_DEFAULT_SIZE * OPEN_INPUT_DEFAULT_SIZE);
    long perImage = Math.max(1, (long) (bytesPerImage * scale));
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, options.memoryBudgetBytes() / perImage));
  }

  /**
   * A rough native-memory cost of one image: every layer output up to the target, twice (kept for
   * the backward pass, plus its gradient), in float32. Open spatial sizes count as 150.
   */
  static long bytesPerImage(KerasModel model, LayerInfo target) {
    long values = 0;
    for (LayerInfo l : model.layers()) {
      long n = 1;
      for (int i = 1; i < l.outputShape().length; i++) {
        long d = l.outputShape()[i];
        n *= d > 0 ? d : OPEN_INPUT_DEFAULT_SIZE;
      }
      values += n;
      if (l.path().equals(target.path())) {
        break;
      }
    }
    long[] in = model.inputShape();
    long input = 1;
    for (int i = 1; i < in.length; i++) {
      input *= in[i] > 0 ? in[i] : OPEN_INPUT_DEFAULT_SIZE;
    }
    return 4L * 2 * (values + input);
  }

  private static String shape(long[] s) {
    return Arrays.toString(s).replace("-1", "None");
  }
}
