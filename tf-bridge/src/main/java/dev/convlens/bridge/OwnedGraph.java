package dev.convlens.bridge;

import dev.convlens.bridge.graph.BuiltModel;
import dev.convlens.bridge.graph.LayerCall;
import dev.convlens.bridge.graph.LayerOutput;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import dev.convlens.bridge.spi.ModelRun;
import dev.convlens.bridge.spi.ModelVariable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The one owner of a model's TF graph and session. Runs share the read side of a lock; extending
 * the graph takes the write side (TF forbids changing a graph while a run is in flight); closing
 * refuses new calls, waits a bounded time for runs in flight, then frees the native memory (or
 * leaves that to the last run still in flight).
 */
final class OwnedGraph implements ModelGraph {
  private static final Logger LOG = LogManager.getLogger(OwnedGraph.class);
  private static final long CHUNK_VALUES = 64L << 20;

  private final String name;
  private final Graph graph;
  private final Session session;
  private final BuiltModel built;
  private final long[] inputShape;
  private final long[] outputShape;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<ExtensionKey<?>, Object> extensions = new ConcurrentHashMap<>();
  /** Scope names handed out to extensions; guarded by the write lock. */
  private final Set<String> scopes = new HashSet<>();
  private volatile boolean closing;
  /** Non-null for a graph that only predicts (a SavedModel's signature): why it cannot do more. */
  private final @Nullable String predictOnlyReason;
  /** Native memory released; guarded by the write lock. */
  private boolean freed;

  OwnedGraph(String name, Graph graph, Session session, BuiltModel built) {
    this(name, graph, session, built, null);
  }

  /** {@code predictOnlyReason}: why this graph cannot be extended or searched by layer (null: it can). */
  OwnedGraph(String name, Graph graph, Session session, BuiltModel built, @Nullable String predictOnlyReason) {
    this.name = name;
    this.graph = graph;
    this.session = session;
    this.built = built;
    this.predictOnlyReason = predictOnlyReason;
    this.inputShape = built.inputs().get(0).shape().asArray();
    this.outputShape = built.outputs().get(0).shape().asArray();
  }

  @Override
  public String modelName() {
    return name;
  }

  long[] inputShape() {
    ensureOpen();
    return inputShape.clone();
  }

  long[] inputShapeOf(String inputName) {
    return built().inputs().get(built.inputNames().indexOf(inputName)).shape().asArray();
  }

  /** Why the graph only predicts, or null when it has layers. */
  @Nullable String predictOnlyReason() {
    return predictOnlyReason;
  }

  /** Refuses what needs the model's layers (extensions, layer lookups) on a predict-only graph. */
  void requireLayers() {
    if (predictOnlyReason != null) {
      throw new InvalidInputException("model '" + name + "': " + predictOnlyReason);
    }
  }

  BuiltModel built() {
    ensureOpen();
    return built;
  }

  @Override
  public Placeholder<TFloat32> input() {
    ensureOpen();
    return built.inputs().get(0);
  }

  @Override
  public Operand<TFloat32> output() {
    ensureOpen();
    return built.outputs().get(0);
  }

  @Override
  public List<String> inputNames() {
    ensureOpen();
    return built.inputNames();
  }

  @Override
  public List<String> outputNames() {
    ensureOpen();
    return built.outputNames();
  }

  @Override
  public Operand<TFloat32> output(String outputName) {
    ensureOpen();
    int i = built.outputNames().indexOf(outputName);
    if (i < 0) {
      throw new InvalidInputException("model '" + name + "' has no output '" + outputName + "'; its outputs: "
          + String.join(", ", built.outputNames()));
    }
    return built.outputs().get(i);
  }

  @Override
  public long[] outputShape() {
    ensureOpen();
    return outputShape.clone();
  }

  @Override
  public LayerHandle layer(String nameOrPath) {
    return Objects.requireNonNull(built.layers().get(resolve(nameOrPath)));
  }

  @Override
  public List<ModelVariable> variables() {
    ensureOpen();
    return built.variables();
  }

  @Override
  public int operationCount() {
    return read(s -> {
      int n = 0;
      for (var it = graph.operations(); it.hasNext(); it.next()) {
        n++;
      }
      return n;
    });
  }

  String resolve(String nameOrPath) {
    ensureOpen();
    requireLayers();
    if (nameOrPath == null) {
      throw new InvalidInputException("layer name is null");
    }
    if (built.layers().containsKey(nameOrPath)) {
      return nameOrPath;
    }
    List<String> matches = new ArrayList<>();
    for (String key : built.layerOrder()) {
      if (Objects.requireNonNull(built.layers().get(key)).name().equals(nameOrPath) && !key.contains("@")) {
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

  @Override
  public <T> T extension(ExtensionKey<T> key, Function<GraphScope, T> builder) {
    requireLayers();
    Object cached = extensions.get(key);
    if (cached != null) {
      return key.type().cast(cached);
    }
    return exclusive(s -> {
      Object built = extensions.get(key);
      if (built == null) {
        built = builder.apply(new Scope());
        if (built == null) {
          throw new IllegalStateException("the builder of extension " + key + " of model '" + name + "' returned null");
        }
        extensions.put(key, key.type().cast(built));
      }
      return key.type().cast(built);
    });
  }

  /** Runs {@code work} on the session under the read lock; fails fast once closing has begun. */
  <T> T read(Function<Session, T> work) {
    ensureOpen();
    lock.readLock().lock();
    try {
      ensureOpen();
      return work.apply(session);
    } finally {
      lock.readLock().unlock();
      if (closing) {
        freeIfIdle();
      }
    }
  }

  /** Runs {@code work} with no run in flight, for work that adds ops (the SavedModel exporter's saver). */
  <T> T exclusive(Function<Session, T> work) {
    ensureOpen();
    lock.writeLock().lock();
    try {
      ensureOpen();
      return work.apply(session);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public ModelRun newRun() {
    ensureOpen();
    return new Run();
  }

  @Override
  public Map<ModelVariable, FloatTensor> readVariables(Collection<ModelVariable> variables) {
    Map<ModelVariable, FloatTensor> out = new LinkedHashMap<>();
    List<ModelVariable> pending = new ArrayList<>(variables);
    int at = 0;
    while (at < pending.size()) {
      ModelRun run = newRun();
      List<ModelVariable> chunk = new ArrayList<>();
      long values = 0;
      while (at < pending.size() && (chunk.isEmpty() || values < CHUNK_VALUES)) {
        ModelVariable v = pending.get(at++);
        run.fetch(v.variable());
        chunk.add(v);
        values += v.spec().count();
      }
      List<FloatTensor> got = run.run();
      for (int i = 0; i < chunk.size(); i++) {
        out.put(chunk.get(i), got.get(i));
      }
    }
    return out;
  }

  @Override
  public void assignVariables(Map<ModelVariable, FloatTensor> values) {
    List<Map.Entry<ModelVariable, FloatTensor>> pending = new ArrayList<>(values.entrySet());
    int at = 0;
    while (at < pending.size()) {
      ModelRun run = newRun();
      long count = 0;
      int inChunk = 0;
      while (at < pending.size() && (inChunk == 0 || count < CHUNK_VALUES)) {
        var e = pending.get(at++);
        ModelVariable v = e.getKey();
        FloatTensor value = e.getValue();
        if (!Arrays.equals(v.spec().shape(), value.shape())) {
          throw new InvalidInputException("cannot assign a value of shape " + Arrays.toString(value.shape())
              + " to variable '" + v.name() + "' of shape " + Arrays.toString(v.spec().shape()) + " in model '"
              + name + "'");
        }
        run.feed(v.initValue(), value).target(v.assign());
        count += value.size();
        inChunk++;
      }
      run.run();
    }
  }

  /** Refuses new calls, waits up to {@code wait} for runs in flight, then frees the graph and session. */
  void close(Duration wait) {
    closing = true;
    // Without runs in flight take the lock at once: an interrupted thread (a call just stopped by
    // Future.cancel) cannot wait, and nothing else would free the model.
    boolean locked = lock.writeLock().tryLock();
    try {
      locked = locked || lock.writeLock().tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!locked) {
      LOG.warn("model '{}': runs still in flight after {} ms; the last of them frees the model", name, wait.toMillis());
      return;
    }
    try {
      free();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether the graph and session were freed (for tests). */
  boolean isFreed() {
    lock.writeLock().lock();
    try {
      return freed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void freeIfIdle() {
    if (lock.writeLock().tryLock()) {
      try {
        free();
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  private void free() {
    if (!freed) {
      freed = true;
      extensions.clear();
      session.close();
      graph.close();
    }
  }

  void ensureOpen() {
    if (closing) {
      throw new ModelClosedException(name);
    }
  }

  /** The model input as a batch: a sample without the batch axis gets one; the shape is checked. */
  private FloatTensor checkInput(FloatTensor input, int index) {
    String which = built.inputs().size() == 1 ? "input" : "input '" + built.inputNames().get(index) + "'";
    if (input == null) {
      throw new InvalidInputException(which + " of model '" + name + "' is null");
    }
    long[] expected = built.inputs().get(index).shape().asArray();
    FloatTensor batch = input.rank() == expected.length - 1 ? asBatch(input) : input;
    boolean ok = batch.rank() == expected.length && batch.dim(0) > 0;
    for (int i = 1; ok && i < expected.length; i++) {
      ok = expected[i] < 0 || expected[i] == batch.dim(i);
    }
    if (!ok) {
      throw new InvalidInputException("model '" + name + "' expects " + which + " of shape " + KerasModel.shapeText(expected)
          + " (or one sample without the batch axis), got " + Arrays.toString(input.shape()));
    }
    return batch;
  }

  private static FloatTensor asBatch(FloatTensor sample) {
    long[] s = new long[sample.rank() + 1];
    s[0] = 1;
    System.arraycopy(sample.shape(), 0, s, 1, sample.rank());
    return new FloatTensor(s, sample.data());
  }

  private final class Scope implements GraphScope {
    @Override
    public ModelGraph model() {
      return OwnedGraph.this;
    }

    @Override
    public Ops ops(String scopeName) {
      String base = opName(scopeName);
      String unique = base;
      for (int i = 1; !scopes.add(unique) || graph.operation(unique) != null; i++) {
        unique = base + "_" + i;
      }
      return Ops.create(graph).withSubScope(unique);
    }

    @Override
    public LayerOutput callLayer(String nameOrPath, Ops tf, List<Operand<TFloat32>> inputs) {
      String key = resolve(nameOrPath);
      LayerCall call = built.calls().get(key);
      if (call == null) {
        throw new InvalidInputException("layer '" + key + "' of model '" + name + "' cannot be called again"
            + " (an input or a nested model)");
      }
      return call.apply(tf, inputs);
    }

    @Override
    public @Nullable Output<?>[] gradients(Operand<?> y, Operand<?>... xs) {
      return graph.addGradients(y.asOutput(), outputs(xs));
    }

    @Override
    public Output<?>[] gradients(Operand<?>[] ys, Operand<?>[] xs, Operand<?>[] dys) {
      return graph.addGradients(null, outputs(ys), outputs(xs), outputs(dys));
    }

    private static Output<?>[] outputs(Operand<?>[] ops) {
      return Arrays.stream(ops).map(Operand::asOutput).toArray(Output<?>[]::new);
    }

    private static String opName(String s) {
      String n = s.replaceAll("[^A-Za-z0-9_.\\-]", "_");
      return n.isEmpty() || !Character.isLetterOrDigit(n.charAt(0)) ? "x" + n : n;
    }
  }

  private final class Run implements ModelRun {
    private final Map<Operand<TFloat32>, FloatTensor> feeds = new LinkedHashMap<>();
    private final List<Operand<TFloat32>> fetches = new ArrayList<>();
    private final List<Op> targets = new ArrayList<>();
    private boolean bulk = true;
    private Cancellation cancellation = Cancellation.none();

    @Override
    public ModelRun feedInput(FloatTensor batch) {
      feeds.put(built.inputs().get(0), checkInput(batch, 0));
      return this;
    }

    @Override
    public ModelRun feedInput(String inputName, FloatTensor batch) {
      int i = built.inputNames().indexOf(inputName);
      if (i < 0) {
        throw new InvalidInputException("model '" + name + "' has no input '" + inputName + "'; its inputs: "
            + String.join(", ", built.inputNames()));
      }
      feeds.put(built.inputs().get(i), checkInput(batch, i));
      return this;
    }

    @Override
    public ModelRun feed(Operand<TFloat32> tensor, FloatTensor value) {
      if (value == null) {
        throw new InvalidInputException("no value for tensor '" + tensor.op().name() + "' of model '" + name + "'");
      }
      feeds.put(tensor, value);
      return this;
    }

    @Override
    public ModelRun fetch(Operand<TFloat32> tensor) {
      fetches.add(tensor);
      return this;
    }

    @Override
    public ModelRun target(Op op) {
      targets.add(op);
      return this;
    }

    @Override
    public ModelRun elementwiseCopies() {
      bulk = false;
      return this;
    }

    @Override
    public ModelRun cancellation(Cancellation c) {
      cancellation = InvalidInputException.requireNonNull(c, "cancellation");
      return this;
    }

    @Override
    public List<FloatTensor> run() {
      cancellation.check();
      return read(s -> {
        cancellation.check(); // the read lock may have been a wait
        List<Tensor> inputs = new ArrayList<>();
        try {
          Session.Runner runner = s.runner();
          for (var e : feeds.entrySet()) {
            TFloat32 t = Tensors.toTensor(e.getValue(), bulk);
            inputs.add(t);
            runner.feed(e.getKey(), t);
          }
          fetches.forEach(runner::fetch);
          targets.forEach(runner::addTarget);
          try (Result r = runner.run()) {
            List<FloatTensor> out = new ArrayList<>(fetches.size());
            for (int i = 0; i < fetches.size(); i++) {
              out.add(Tensors.fromTensor((TFloat32) r.get(i), bulk));
            }
            return out;
          }
        } catch (TensorFlowException | IllegalArgumentException e) {
          // TF Java reports INVALID_ARGUMENT as an IllegalArgumentException, the other codes as TensorFlowExceptions.
          throw new InvalidInputException("model '" + name + "': the TensorFlow run failed: "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        } finally {
          inputs.forEach(Tensor::close);
        }
      });
    }
  }
}
