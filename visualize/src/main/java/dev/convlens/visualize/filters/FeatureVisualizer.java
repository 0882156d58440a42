package dev.convlens.visualize.filters;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Feature visualization (Lucid's {@code render}) for any model with an image input: the picture
 * that maximizes an {@link Objective}, found by Adam on a {@link Parameterization} of the picture,
 * with random {@link Transforms} before the model at every step.
 * {@code FeatureVisualizer.of(model).render(Objective.channel("conv2d_9", 7), FeatureOptions.defaults())}.
 *
 * <p>Many objectives are rendered together, one image each, in batches sized to the memory budget
 * (whole-layer mode: {@link #renderChannels}); objectives of the same shape (the same kinds of terms
 * on the same layers) share a batch. The picture, the transformations and the objective are graph
 * ops added to the model once per shape; a service calls {@link #prepare} before serving. Instances
 * are immutable and may be shared between threads.
 */
public final class FeatureVisualizer {
  /** Picture size for models whose input size is open and options that leave it at 0. */
  static final int OPEN_INPUT_DEFAULT_SIZE = 128;

  private final KerasModel model;

  private FeatureVisualizer(KerasModel model) {
    this.model = model;
  }

  /**
   * A visualizer for a model whose input is an image batch {@code (batch, height, width, channels)}.
   *
   * @throws InvalidInputException when the model is null or its input is not an image batch
   */
  public static FeatureVisualizer of(KerasModel model) {
    if (model == null) {
      throw new InvalidInputException("feature visualization: model is null");
    }
    long[] in = model.inputShape();
    if (in.length != 4 || in[3] < 1) {
      throw new InvalidInputException("model '" + model.name() + "' has input shape " + Arrays.toString(in)
          + "; feature visualization needs an image input (batch, height, width, channels)");
    }
    return new FeatureVisualizer(model);
  }

  /** Builds now the graph ops that rendering {@code objectives} with {@code options} will use. */
  public FeatureVisualizer prepare(List<Objective> objectives, FeatureOptions options) {
    Setup setup = setup(objectives, options);
    for (List<Integer> group : setup.groups.values()) {
      ObjectiveGraph.of(model, shape(objectives.get(group.get(0))));
    }
    ImageGraph.of(model, setup.spec);
    return this;
  }

  /** Renders one objective. */
  public FeatureResult render(Objective objective, FeatureOptions options) {
    return render(List.of(objective), options, FilterListener.NONE).get(0);
  }

  /** Whole-layer mode: one picture per channel of {@code layer}, each maximizing its channel's mean. */
  public List<FeatureResult> renderChannels(String layer, List<Integer> channels, FeatureOptions options,
      @Nullable FilterListener listener) {
    if (channels == null || channels.isEmpty()) {
      throw new InvalidInputException("no channels given for layer '" + layer + "'");
    }
    List<Objective> objectives = new ArrayList<>(channels.size());
    for (Integer ch : channels) {
      if (ch == null) {
        throw new InvalidInputException("a channel of layer '" + layer + "' is null");
      }
      objectives.add(Objective.channel(layer, ch));
    }
    return render(objectives, options, listener);
  }

  /**
   * Renders {@code objectives}, results in the same order. Every objective is checked against the
   * model before any graph run.
   *
   * @throws InvalidInputException naming the objective and what the model has, for an unknown layer,
   *     a channel or class out of range, a direction of the wrong length, or a size that does not fit
   */
  public List<FeatureResult> render(List<Objective> objectives, FeatureOptions options,
      @Nullable FilterListener listener) {
    Setup setup = setup(objectives, options);
    FilterListener progress = listener == null ? FilterListener.NONE : listener;
    FeatureResult[] results = new FeatureResult[objectives.size()];
    ImageGraph image = ImageGraph.of(model, setup.spec);
    int total = objectives.size();
    int done = 0;
    for (List<Integer> group : setup.groups.values()) {
      List<ObjectiveGraph.TermShape> shape = shape(objectives.get(group.get(0)));
      ObjectiveGraph graph = ObjectiveGraph.of(model, shape);
      int batch = batchSize(options, shape, setup.spec.height(), setup.spec.width());
      for (int from = 0; from < group.size(); from += batch) {
        List<Integer> chunk = group.subList(from, Math.min(group.size(), from + batch));
        Rendering.Plan plan = plan(objectives, chunk, graph, setup);
        int before = done;
        int size = chunk.size();
        List<FeatureResult> out = new Rendering(model, image, graph, options, plan)
            .run((step, steps, value) -> progress.onEvent(new FilterProgress(before, total, size, step, steps, value)));
        for (int i = 0; i < size; i++) {
          results[chunk.get(i)] = out.get(i);
        }
        done += size;
      }
    }
    return List.of(results);
  }

  /** Checked arguments: the picture ops' spec (size, colour map) and objectives grouped by shape (positions in the list). */
  private record Setup(ImageGraph.Spec spec, Map<List<ObjectiveGraph.TermShape>, List<Integer>> groups) {}

  private Setup setup(List<Objective> objectives, FeatureOptions options) {
    if (objectives == null || objectives.isEmpty()) {
      throw new InvalidInputException("feature visualization: no objectives given");
    }
    if (options == null) {
      throw new InvalidInputException("feature visualization: options are null (use FeatureOptions.defaults())");
    }
    int[] hw = FilterVisualizer.imageSize(model, options.size(), OPEN_INPUT_DEFAULT_SIZE);
    int c = (int) model.inputShape()[3];
    for (FloatTensor picture : pictures(options)) {
      if (picture.dim(0) != hw[0] || picture.dim(1) != hw[1] || picture.dim(2) != c) {
        throw new InvalidInputException("start picture " + Arrays.toString(picture.shape()) + " does not fit model '"
            + model.name() + "': expected [" + hw[0] + ", " + hw[1] + ", " + c + "]");
      }
    }
    ColorMap colors;
    try {
      colors = ColorMap.of(options.preprocessing(), c);
    } catch (ConvlensException e) {
      throw new InvalidInputException("preprocessing " + options.preprocessing() + " does not fit model '" + model.name()
          + "' with " + c + " input channels: " + e.getMessage(), e);
    }
    Map<List<ObjectiveGraph.TermShape>, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < objectives.size(); i++) {
      Objective o = objectives.get(i);
      check(o, i);
      groups.computeIfAbsent(shape(o), s -> new ArrayList<>()).add(i);
    }
    Parameterization p = options.parameterization();
    ImageGraph.Spec spec = new ImageGraph.Spec(p.kind(), p.levels(), p.decorrelated() && c == 3, hw[0], hw[1], c,
        !options.transforms().isNone(), colors);
    return new Setup(spec, groups);
  }

  private static List<FloatTensor> pictures(FeatureOptions options) {
    List<FloatTensor> all = new ArrayList<>(options.retryImages());
    if (options.startImage() != null) {
      all.add(options.startImage());
    }
    return all;
  }

  private void check(@Nullable Objective o, int position) {
    if (o == null) {
      throw new InvalidInputException("feature visualization: objective " + position + " is null");
    }
    if (!o.readsModel()) {
      throw new InvalidInputException("objective '" + o + "' has no term on the model (only picture terms)");
    }
    for (Objective.Term t : o.terms()) {
      if (t.kind().onImage()) {
        continue;
      }
      LayerInfo layer = layerOf(t);
      long[] s = layer.outputShape();
      long channels = s[s.length - 1];
      boolean spatial = layer.isSpatial();
      if (t.kind() != Objective.Kind.CLASS_LOGIT && !spatial) {
        throw new InvalidInputException("objective '" + o + "': layer '" + layer.path() + "' of model '" + model.name()
            + "' has output shape " + Arrays.toString(s) + "; this term needs a 4-D (batch, height, width, channels) output");
      }
      switch (t.kind()) {
        case CHANNEL, NEURON, CLASS_LOGIT -> {
          if (t.channel() >= channels) {
            throw new InvalidInputException("objective '" + o + "': " + (t.kind() == Objective.Kind.CLASS_LOGIT
                ? "class " + t.channel() + " is out of range, the model has " + channels + " classes"
                : "channel " + t.channel() + " is out of range, layer '" + layer.path() + "' has " + channels
                    + " channels (0-" + (channels - 1) + ")"));
          }
          if (t.kind() == Objective.Kind.NEURON && t.y() >= 0 && (t.y() >= s[1] && s[1] > 0 || t.x() >= s[2] && s[2] > 0)) {
            throw new InvalidInputException("objective '" + o + "': position (" + t.y() + ", " + t.x()
                + ") is outside layer '" + layer.path() + "' output of " + s[1] + "x" + s[2]);
          }
        }
        case DIRECTION -> {
          float[] d = t.direction();
          if (d == null || d.length != channels) {
            throw new InvalidInputException("objective '" + o + "': the direction has " + (d == null ? 0 : d.length)
                + " values, layer '" + layer.path() + "' has " + channels + " channels");
          }
        }
        default -> { }
      }
    }
  }

  private LayerInfo layerOf(Objective.Term t) {
    String name = t.layer();
    return model.layer(name == null ? ObjectiveGraph.logitsLayer(model) : name);
  }

  /** The objective's model terms as graph shape, with resolved layer paths; class logits before the activation. */
  private List<ObjectiveGraph.TermShape> shape(Objective o) {
    List<ObjectiveGraph.TermShape> shape = new ArrayList<>();
    for (Objective.Term t : o.terms()) {
      if (!t.kind().onImage()) {
        boolean pre = t.preActivation() || t.kind() == Objective.Kind.CLASS_LOGIT;
        shape.add(new ObjectiveGraph.TermShape(ObjectiveGraph.Form.of(t.kind()), layerOf(t).path(), pre));
      }
    }
    return List.copyOf(shape);
  }

  /** The fed values of a batch of objectives of one shape. */
  private Rendering.Plan plan(List<Objective> objectives, List<Integer> chunk, ObjectiveGraph graph, Setup setup) {
    int k = chunk.size();
    List<Objective> batch = chunk.stream().map(objectives::get).toList();
    List<FloatTensor> weights = new ArrayList<>();
    List<@Nullable FloatTensor> masks = new ArrayList<>();
    for (int j = 0; j < graph.terms().size(); j++) {
      ObjectiveGraph.Slot slot = graph.terms().get(j);
      long[] s = model.layer(slot.shape().layer()).outputShape();
      int channels = (int) s[s.length - 1];
      boolean perChannel = slot.shape().form() == ObjectiveGraph.Form.MEAN || slot.shape().form() == ObjectiveGraph.Form.NEURON;
      float[] wt = new float[perChannel ? k * channels : k];
      int[] lw = slot.mask() == null ? new int[0] : layerSize(slot.shape(), setup);
      float[] mask = slot.mask() == null ? new float[0] : new float[k * lw[0] * lw[1]];
      for (int i = 0; i < k; i++) {
        Objective.Term t = modelTerms(batch.get(i)).get(j);
        if (!perChannel) {
          wt[i] = (float) t.weight();
        } else if (t.kind() == Objective.Kind.DIRECTION && t.direction() != null) {
          for (int ch = 0; ch < channels; ch++) {
            wt[i * channels + ch] = (float) (t.weight() * t.direction()[ch]);
          }
        } else {
          wt[i * channels + t.channel()] = (float) t.weight();
        }
        if (slot.mask() != null) {
          int y = t.y() >= 0 ? t.y() : (lw[0] - 1) / 2;
          int x = t.x() >= 0 ? t.x() : (lw[1] - 1) / 2;
          if (y >= lw[0] || x >= lw[1]) {
            throw new InvalidInputException("objective '" + batch.get(i) + "': position (" + y + ", " + x
                + ") is outside layer '" + slot.shape().layer() + "' output of " + lw[0] + "x" + lw[1]);
          }
          mask[(i * lw[0] + y) * lw[1] + x] = 1;
        }
      }
      weights.add(new FloatTensor(perChannel ? new long[] {k, channels} : new long[] {k}, wt));
      masks.add(slot.mask() == null ? null : new FloatTensor(new long[] {k, lw[0], lw[1]}, mask));
    }
    float[] tv = new float[k];
    float[] l2 = new float[k];
    int[] positions = new int[k];
    for (int i = 0; i < k; i++) {
      positions[i] = chunk.get(i);
      for (Objective.Term t : batch.get(i).terms()) {
        if (t.kind() == Objective.Kind.TOTAL_VARIATION) {
          tv[i] += (float) t.weight();
        } else if (t.kind() == Objective.Kind.L2) {
          l2[i] += (float) t.weight();
        }
      }
    }
    return new Rendering.Plan(batch, positions, weights, masks, tv, l2);
  }

  private static List<Objective.Term> modelTerms(Objective o) {
    return o.terms().stream().filter(t -> !t.kind().onImage()).toList();
  }

  /** A layer's output height and width at this picture size: from its shape, or from one run when the input size is open. */
  private int[] layerSize(ObjectiveGraph.TermShape term, Setup setup) {
    long[] s = model.layer(term.layer()).outputShape();
    if (s[1] > 0 && s[2] > 0) {
      return new int[] {(int) s[1], (int) s[2]};
    }
    var handle = model.graph().layer(term.layer());
    ImageGraph.Spec spec = setup.spec();
    FloatTensor probe = model.graph().newRun().feedInput(new FloatTensor(new long[] {1, spec.height(), spec.width(),
        spec.channels()}, new float[spec.height() * spec.width() * spec.channels()])).fetch(term.preActivation() ? handle.preActivation() : handle.output())
        .run().get(0);
    return new int[] {(int) probe.dim(1), (int) probe.dim(2)};
  }

  /** Objectives per batch: the option, else as many as the memory budget allows for the deepest layer read. */
  private int batchSize(FeatureOptions options, List<ObjectiveGraph.TermShape> shape, int h, int w) {
    if (options.batchSize() > 0) {
      return options.batchSize();
    }
    List<LayerInfo> layers = model.layers();
    LayerInfo deepest = layers.get(0);
    for (ObjectiveGraph.TermShape t : shape) {
      LayerInfo l = model.layer(t.layer());
      if (layers.indexOf(l) > layers.indexOf(deepest)) {
        deepest = l;
      }
    }
    long[] in = model.inputShape();
    double scale = in[1] > 0 && in[2] > 0 ? 1
        : (double) h * w / (FilterVisualizer.OPEN_INPUT_DEFAULT_SIZE * FilterVisualizer.OPEN_INPUT_DEFAULT_SIZE);
    long perImage = Math.max(1, (long) (FilterVisualizer.bytesPerImage(model, deepest) * scale));
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, options.memoryBudgetBytes() / perImage));
  }
}
