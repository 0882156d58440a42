package dev.convlens.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.export.SavedModelExport;
import dev.convlens.bridge.graph.BuiltModel;
import dev.convlens.bridge.graph.GraphBuilder;
import dev.convlens.bridge.graph.LayerHandle;
import dev.convlens.bridge.graph.ModelVariable;
import dev.convlens.bridge.keras.KerasArtifact;
import dev.convlens.bridge.keras.KerasFiles;
import dev.convlens.bridge.keras.ModelConfigParser;
import dev.convlens.bridge.keras.ModelSpec;
import dev.convlens.bridge.keras.WeightSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A Keras model rebuilt as a TensorFlow Java graph from Java ops: every layer output can be
 * fetched, differentiated and trained. Load one with {@link #load(Path)}; it owns native memory,
 * so close it. All ops exist before the first call, so one instance serves concurrent callers.
 */
public final class KerasModel implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(KerasModel.class);
  private static final long INIT_CHUNK_VALUES = 64L << 20;

  private final String name;
  private final JsonNode config;
  private final Graph graph;
  private final Session session;
  private final BuiltModel built;
  private final List<LayerInfo> layers;
  private final Path source;
  /** Runs share the read side; adding ops to the graph takes the write side (TF forbids changing a graph mid-run). */
  private final ReadWriteLock graphLock = new ReentrantReadWriteLock();
  private volatile boolean closed;

  private KerasModel(String name, JsonNode config, Graph graph, Session session, BuiltModel built, Path source) {
    this.name = name;
    this.config = config;
    this.graph = graph;
    this.session = session;
    this.built = built;
    this.source = source;
    List<LayerInfo> infos = new ArrayList<>();
    for (String key : built.layerOrder()) {
      LayerHandle h = built.layers().get(key);
      infos.add(new LayerInfo(h.path(), h.name(), h.className(), h.outputShape(), h.parameterCount(),
          h.trainableParameterCount(), h.inbound(), h.depth()));
    }
    this.layers = List.copyOf(infos);
  }

  /** Loads any Keras model file or directory; the format is detected from its content. */
  public static KerasModel load(Path path) {
    return load(path, LoadOptions.defaults());
  }

  public static KerasModel load(Path path, LoadOptions options) {
    KerasArtifact artifact = KerasFiles.read(path, options.weights());
    return fromArtifact(artifact, options);
  }

  /**
   * Builds a model from a Keras config (the JSON of {@code model.to_json()}, or a built-in
   * architecture such as {@code Vgg16.Options.defaults().config()}) with the weights of
   * {@link LoadOptions#weights()}, or random weights when {@link LoadOptions#randomWeightsSeed()} is set.
   */
  public static KerasModel fromConfig(JsonNode modelConfig, LoadOptions options) {
    WeightSource weights = options.weights() != null ? KerasFiles.weightsFile(options.weights()) : WeightSource.NONE;
    return fromArtifact(new KerasArtifact(modelConfig, weights, options.weights(), "config"), options);
  }

  /** Builds a model from a Keras config and a weight source. */
  public static KerasModel fromConfig(JsonNode modelConfig, WeightSource weights, LoadOptions options) {
    return fromArtifact(new KerasArtifact(modelConfig, weights, null, "config"), options);
  }

  static KerasModel fromArtifact(KerasArtifact artifact, LoadOptions options) {
    long start = System.nanoTime();
    Path source = artifact.source();
    Graph graph = new Graph();
    Session session = null;
    try (WeightSource weights = artifact.weights()) {
      ModelSpec spec = ModelConfigParser.parse(artifact.modelConfig(), source);
      long[] inputShape = options.inputShape() != null ? options.inputShape() : artifact.inputShape();
      BuiltModel built = new GraphBuilder(graph, weights, source, inputShape, options.randomWeightsSeed())
          .build(spec);
      if (built.inputs().size() != 1) {
        throw new ModelFormatException(source, "models with " + built.inputs().size()
            + " inputs are not supported yet (expected one image input)");
      }
      session = new Session(graph);
      assignInitialValues(session, built);
      LOG.debug("loaded {} ({}) in {} ms", source, artifact.formatDescription(), (System.nanoTime() - start) / 1_000_000);
      return new KerasModel(spec.name(), artifact.modelConfig(), graph, session, built, source);
    } catch (RuntimeException e) {
      if (session != null) {
        session.close();
      }
      graph.close();
      Path weightsFile = options.weights();
      if (e instanceof ModelFormatException m && !(e instanceof UnsupportedLayerException) && weightsFile != null
          && source != null && source.equals(m.source()) && !source.equals(weightsFile)) {
        // Errors about layer weights name the model file; a mismatched weights file is the likelier culprit.
        throw new ModelFormatException(source, e.getMessage().substring(source.toString().length() + 2)
            + " [weights from " + weightsFile + "]", e);
      }
      if (e instanceof ConvlensException) {
        throw e;
      }
      throw new ModelFormatException(source, "cannot rebuild the model: " + e.getMessage(), e);
    }
  }

  /** Feeds the stored weights into their variables, a bounded amount of native memory at a time. */
  private static void assignInitialValues(Session session, BuiltModel built) {
    List<ModelVariable> pending = new ArrayList<>(built.variables());
    while (!pending.isEmpty()) {
      List<Tensor> tensors = new ArrayList<>();
      try {
        Session.Runner runner = session.runner();
        long values = 0;
        while (!pending.isEmpty() && (values == 0 || values < INIT_CHUNK_VALUES)) {
          ModelVariable v = pending.remove(0);
          FloatArray value = built.initialValues().remove(v);
          TFloat32 t = toTensor(value);
          tensors.add(t);
          runner.feed(v.initValue(), t).addTarget(v.assign());
          values += value.size();
        }
        runner.run();
      } finally {
        tensors.forEach(Tensor::close);
      }
    }
  }

  public String name() {
    return name;
  }

  /** The model's Keras config (the JSON of {@code model.to_json()}), as loaded. */
  public JsonNode config() {
    return config;
  }

  /** The file or directory the model came from, or null. */
  public Path source() {
    return source;
  }

  /** The input shape, batch axis as -1, e.g. {@code [-1, 224, 224, 3]}. */
  public long[] inputShape() {
    return built.inputs().get(0).shape().asArray();
  }

  /** Every layer in build order, nested models' layers included under their path. */
  public List<LayerInfo> layers() {
    return layers;
  }

  /** A layer by nested path ({@code vgg16/block5_conv3}) or by Keras name when that is unique. */
  public LayerInfo layer(String nameOrPath) {
    String key = resolve(nameOrPath);
    return layers.stream().filter(l -> l.path().equals(key)).findFirst().orElseThrow();
  }

  /** Runs the model on a batch {@code [N, H, W, C]} (or one sample {@code [H, W, C]}) and returns its output. */
  public FloatArray predict(FloatArray input) {
    return run(input, List.of(built.outputs().get(0))).get(0);
  }

  /**
   * The outputs of the named layers for one batch, fetched in a single session run, keyed by the
   * names as given, in that order.
   */
  public Map<String, FloatArray> activations(FloatArray input, Collection<String> layerNames) {
    List<Operand<TFloat32>> fetches = new ArrayList<>();
    for (String l : layerNames) {
      fetches.add(built.layers().get(resolve(l)).output());
    }
    List<FloatArray> values = run(input, fetches);
    Map<String, FloatArray> out = new LinkedHashMap<>();
    int i = 0;
    for (String l : layerNames) {
      out.put(l, values.get(i++));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /** The Keras-style summary: layers, output shapes, parameter counts and totals. */
  public String summary() {
    return Summary.format(this, false);
  }

  /** The summary with nested models' layers listed under them. */
  public String summary(boolean expandNested) {
    return Summary.format(this, expandNested);
  }

  /** Writes a SavedModel (signatures {@code serving_default} and {@code activations}), atomically. */
  public void exportSavedModel(Path dir) {
    exportSavedModel(dir, null);
  }

  /** As {@link #exportSavedModel(Path)} with the {@code activations} signature limited to these layers. */
  public void exportSavedModel(Path dir, Collection<String> activationLayers) {
    ensureOpen();
    List<String> keys = new ArrayList<>();
    if (activationLayers == null) {
      keys.addAll(built.layerOrder());
    } else {
      activationLayers.forEach(l -> keys.add(resolve(l)));
    }
    SavedModelExport.write(this, dir, keys);
  }

  // ---- Graph access for modules that add ops (gradients, training). Build them before serving. ----

  public Graph graph() {
    ensureOpen();
    return graph;
  }

  public Session session() {
    ensureOpen();
    return session;
  }

  public Placeholder<TFloat32> inputPlaceholder() {
    return built.inputs().get(0);
  }

  public Operand<TFloat32> output() {
    return built.outputs().get(0);
  }

  /** The graph handle of a layer: its output and pre-activation tensors and its variables. */
  public LayerHandle handle(String nameOrPath) {
    return built.layers().get(resolve(nameOrPath));
  }

  public List<ModelVariable> variables() {
    return built.variables();
  }

  /**
   * Adds ops to the model's graph (gradients, losses, training steps) while no run is in flight.
   * Build such ops once and reuse them; the returned value is whatever {@code builder} returns.
   */
  public <T> T extendGraph(Function<Ops, T> builder) {
    ensureOpen();
    graphLock.writeLock().lock();
    try {
      ensureOpen();
      return builder.apply(Ops.create(graph));
    } finally {
      graphLock.writeLock().unlock();
    }
  }

  /** Runs the graph on {@code input}, fetching {@code fetches}; every native tensor is closed here. */
  public List<FloatArray> run(FloatArray input, List<? extends Operand<TFloat32>> fetches) {
    return run(input, Map.of(), fetches);
  }

  /**
   * As {@link #run(FloatArray, List)} with extra feeds (e.g. a class index or a mask for ops
   * added by {@link #extendGraph}), all float32.
   */
  public List<FloatArray> run(FloatArray input, Map<? extends Operand<TFloat32>, FloatArray> feeds,
      List<? extends Operand<TFloat32>> fetches) {
    ensureOpen();
    FloatArray batch = checkInput(input);
    List<Tensor> inputs = new ArrayList<>();
    graphLock.readLock().lock();
    try {
      ensureOpen();
      TFloat32 in = toTensor(batch);
      inputs.add(in);
      Session.Runner runner = session.runner().feed(built.inputs().get(0), in);
      for (var e : feeds.entrySet()) {
        TFloat32 t = toTensor(e.getValue());
        inputs.add(t);
        runner.feed(e.getKey(), t);
      }
      fetches.forEach(runner::fetch);
      try (Result r = runner.run()) {
        List<FloatArray> out = new ArrayList<>(fetches.size());
        for (int i = 0; i < fetches.size(); i++) {
          out.add(fromTensor((TFloat32) r.get(i)));
        }
        return out;
      }
    } finally {
      graphLock.readLock().unlock();
      inputs.forEach(Tensor::close);
    }
  }

  private FloatArray checkInput(FloatArray input) {
    if (input == null) {
      throw new InvalidInputException("input is null");
    }
    long[] expected = inputShape();
    FloatArray batch = input.rank() == expected.length - 1 ? reshapeAsBatch(input) : input;
    boolean ok = batch.rank() == expected.length && batch.dim(0) > 0;
    for (int i = 1; ok && i < expected.length; i++) {
      ok = expected[i] < 0 || expected[i] == batch.dim(i);
    }
    if (!ok) {
      throw new InvalidInputException("model '" + name + "' expects input of shape " + shapeText(expected)
          + " (or one sample without the batch axis), got " + Arrays.toString(input.shape()));
    }
    return batch;
  }

  private static FloatArray reshapeAsBatch(FloatArray sample) {
    long[] s = new long[sample.rank() + 1];
    s[0] = 1;
    System.arraycopy(sample.shape(), 0, s, 1, sample.rank());
    return new FloatArray(s, sample.data());
  }

  private String resolve(String nameOrPath) {
    ensureOpen();
    if (nameOrPath == null) {
      throw new InvalidInputException("layer name is null");
    }
    if (built.layers().containsKey(nameOrPath)) {
      return nameOrPath;
    }
    List<String> matches = new ArrayList<>();
    for (String key : built.layerOrder()) {
      if (built.layers().get(key).name().equals(nameOrPath) && !key.contains("@")) {
        matches.add(key);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.isEmpty()) {
      throw new InvalidInputException("model '" + name + "' has no layer '" + nameOrPath + "'; layers: "
          + String.join(", ", built.layerOrder()));
    }
    throw new InvalidInputException("layer name '" + nameOrPath + "' is ambiguous in model '" + name + "': " + matches);
  }

  static String shapeText(long[] shape) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      b.append(i > 0 ? ", " : "").append(shape[i] < 0 ? "None" : Long.toString(shape[i]));
    }
    return b.append(shape.length == 1 ? ",)" : ")").toString();
  }

  private void ensureOpen() {
    if (closed) {
      throw new InvalidInputException("model '" + name + "' is closed");
    }
  }

  // Bulk copies through the raw tensor memory: tensorOf(shape, DataBuffers.of(array)) and copyTo
  // copy element by element through the NdArray API, about 50x slower (7 s for VGG16's fc1 kernel).
  static TFloat32 toTensor(FloatArray a) {
    TFloat32 t = TFloat32.tensorOf(Shape.of(a.shape()));
    t.asRawTensor().data().asFloats().write(a.data());
    return t;
  }

  static FloatArray fromTensor(TFloat32 t) {
    float[] data = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(data);
    return new FloatArray(t.shape().asArray(), data);
  }

  /** Waits for runs in flight, then frees the native graph and session. */
  @Override
  public void close() {
    graphLock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        session.close();
        graph.close();
      }
    } finally {
      graphLock.writeLock().unlock();
    }
  }
}
