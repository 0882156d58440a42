package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.UnsupportedLayerException;
import dev.convlens.bridge.keras.LayerNode;
import dev.convlens.bridge.keras.ModelConfigParser;
import dev.convlens.bridge.keras.ModelSpec;
import dev.convlens.bridge.keras.TensorRef;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSource;
import dev.convlens.bridge.keras.WeightSpec;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelVariable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Rebuilds a {@link ModelSpec} in a TF graph from Java ops, layer by layer, nested models
 * flattened into the same graph. Every layer output gets a stable op name
 * ({@code <path>/output}) and a {@link LayerHandle}; every weight becomes a {@link ModelVariable}
 * whose initial value is kept until the session assigns it.
 */
public final class GraphBuilder {
  /**
   * Most values one sample may hold in any layer input, output or weight: a Java array's limit,
   * which the {@code FloatTensor} results and weights are. Also keeps every size product in a long.
   */
  static final long MAX_VALUES_PER_SAMPLE = Integer.MAX_VALUE - 8;

  private final Graph graph;
  private final Ops root;
  private final WeightSource weights;
  private final @Nullable Path source;
  private final long @Nullable [] inputShapeOverride;
  private final @Nullable Long randomSeed;
  /** Builders supplied for this load, by layer name or class name (LoadOptions.withLayer). */
  private final Map<String, LayerBuilder> custom;

  private final Map<String, LayerHandle> layers = new LinkedHashMap<>();
  private final Map<String, List<Operand<TFloat32>>> layerWeights = new HashMap<>();
  private final Map<String, LayerCall> calls = new HashMap<>();
  private final List<ModelVariable> variables = new ArrayList<>();
  private final Map<ModelVariable, FloatTensor> initialValues = new IdentityHashMap<>();
  private final Set<String> variableNames = new HashSet<>();
  private final List<Placeholder<TFloat32>> inputs = new ArrayList<>();
  private final List<String> inputNames = new ArrayList<>();

  /**
   * @param inputShapeOverride per-sample input shape (H, W, C) replacing unknown sizes of the
   *     model input, or null
   * @param randomSeed when not null, layers without stored weights get Keras-default random
   *     initial values from this seed instead of failing
   */
  public GraphBuilder(Graph graph, WeightSource weights, @Nullable Path source, long @Nullable [] inputShapeOverride, @Nullable Long randomSeed,
      Map<String, LayerBuilder> custom) {
    this.custom = Map.copyOf(custom);
    this.graph = graph;
    this.root = Ops.create(graph);
    this.weights = weights;
    this.source = source;
    this.inputShapeOverride = inputShapeOverride;
    this.randomSeed = randomSeed;
  }

  public BuiltModel build(ModelSpec spec) {
    List<Operand<TFloat32>> outputs = model(spec, List.of(), null, true);
    return new BuiltModel(graph, List.copyOf(inputs), List.copyOf(inputNames), List.copyOf(outputs), Map.copyOf(calls),
        outputNames(spec), Map.copyOf(layers), List.copyOf(layers.keySet()), List.copyOf(variables), initialValues);
  }

  private static List<String> outputNames(ModelSpec spec) {
    List<String> names = new ArrayList<>();
    for (TensorRef r : spec.outputs()) {
      names.add(r.layer());
    }
    return names;
  }

  /** Builds one (possibly nested) model; {@code given} are the caller's tensors for its inputs. */
  private List<Operand<TFloat32>> model(ModelSpec spec, List<String> prefix, @Nullable List<Operand<TFloat32>> given,
      boolean trainable) {
    Map<String, List<List<Operand<TFloat32>>>> calls = new HashMap<>();
    Map<String, LayerNode> byName = new HashMap<>();
    spec.layers().forEach(l -> byName.put(l.name(), l));
    List<LayerNode> pending = new ArrayList<>(spec.layers());
    while (!pending.isEmpty()) {
      boolean progress = false;
      for (var it = pending.iterator(); it.hasNext(); ) {
        LayerNode layer = it.next();
        if (!ready(layer, calls, byName)) {
          continue;
        }
        it.remove();
        progress = true;
        List<String> path = new ArrayList<>(prefix);
        path.add(layer.name());
        calls.put(layer.name(), layer(spec, layer, List.copyOf(path), calls, byName, given, trainable));
      }
      if (!progress) {
        throw new ModelFormatException(source, "model '" + spec.name() + "': layers " + names(pending)
            + " depend on layers that are missing or form a cycle");
      }
    }
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (TensorRef r : spec.outputs()) {
      out.add(resolve(r, calls, byName, spec));
    }
    return out;
  }

  private static List<String> names(List<LayerNode> ls) {
    return ls.stream().map(LayerNode::name).toList();
  }

  private boolean ready(LayerNode layer, Map<String, List<List<Operand<TFloat32>>>> calls, Map<String, LayerNode> byName) {
    for (List<TensorRef> call : layer.calls()) {
      for (TensorRef r : call) {
        if (!calls.containsKey(r.layer())) {
          if (!byName.containsKey(r.layer())) {
            throw new ModelFormatException(source, "layer '" + layer.name() + "' takes its input from unknown layer '"
                + r.layer() + "'");
          }
          return false;
        }
      }
    }
    return true;
  }

  private Operand<TFloat32> resolve(TensorRef r, Map<String, List<List<Operand<TFloat32>>>> calls,
      Map<String, LayerNode> byName, ModelSpec spec) {
    if (r.node() < 0 || r.tensor() < 0) {
      throw new ModelFormatException(source, "model '" + spec.name() + "' refers to layer '" + r.layer()
          + "' with node index " + r.node() + " and tensor index " + r.tensor() + ", expected indexes >= 0");
    }
    List<List<Operand<TFloat32>>> made = calls.get(r.layer());
    if (made == null || made.isEmpty()) {
      throw new ModelFormatException(source, "model '" + spec.name() + "' refers to layer '" + r.layer()
          + "' which produced no output");
    }
    // Node indices count calls made outside this config too (a nested model's own build is node 0).
    int node = made.size() == 1 ? 0 : r.node() - (Objects.requireNonNull(byName.get(r.layer())).isModel() ? 1 : 0);
    List<Operand<TFloat32>> outs = made.get(Math.max(0, Math.min(node, made.size() - 1)));
    if (r.tensor() >= outs.size()) {
      throw new ModelFormatException(source, "layer '" + r.layer() + "' has no output #" + r.tensor());
    }
    return outs.get(r.tensor());
  }

  private List<List<Operand<TFloat32>>> layer(ModelSpec spec, LayerNode layer, List<String> path,
      Map<String, List<List<Operand<TFloat32>>>> calls, Map<String, LayerNode> byName, @Nullable List<Operand<TFloat32>> given,
      boolean parentTrainable) {
    String key = String.join("/", path);
    // A frozen model freezes everything inside it, as `base.trainable = False` does in Keras.
    // A Keras 2.0 Sequential's config is a bare list of its layers; every other config is an object.
    if (layer.config() == null || !(layer.config().isObject() || (layer.isModel() && layer.config().isArray()))) {
      throw layerError(path, layer.className(), "its config is " + JsonValues.show(layer.config())
          + ", expected a JSON object");
    }
    JsonNode t = layer.config().get("trainable");
    if (t != null && !t.isNull() && !t.isBoolean()) {
      throw layerError(path, layer.className(), "'trainable' is " + JsonValues.show(t) + ", expected true or false");
    }
    boolean trainable = parentTrainable && (t == null || !t.isBoolean() || t.booleanValue());
    if (layer.className().equals("InputLayer")) {
      int index = inputIndex(spec, layer.name());
      Operand<TFloat32> in = given != null ? given.get(index) : placeholder(layer, path);
      register(key, layer, path.size() - 1, LayerOutput.of(in), List.of(), List.of());
      return List.of(List.of(in));
    }
    List<List<Operand<TFloat32>>> results = new ArrayList<>();
    int callIndex = 0;
    for (List<TensorRef> call : layer.calls()) {
      List<Operand<TFloat32>> in = new ArrayList<>();
      for (TensorRef r : call) {
        in.add(resolve(r, calls, byName, spec));
      }
      String callKey = callIndex == 0 ? key : key + "@" + callIndex;
      if (layer.isModel()) {
        List<ModelVariable> before = new ArrayList<>(variables);
        List<Operand<TFloat32>> outs = model(Objects.requireNonNull(layer.nested()), path, in, trainable);
        List<ModelVariable> mine = new ArrayList<>(variables);
        mine.removeAll(before);
        register(callKey, layer, path.size() - 1, LayerOutput.of(outs.get(0)), inboundNames(call), mine);
        results.add(outs);
      } else {
        LayerOutput out = apply(layer, path, callKey, in, trainable);
        register(callKey, layer, path.size() - 1, out, inboundNames(call), variablesOf(key));
        results.add(List.of(Objects.requireNonNull(layers.get(callKey)).output()));
      }
      callIndex++;
    }
    return results;
  }

  private static List<String> inboundNames(List<TensorRef> call) {
    return call.stream().map(TensorRef::layer).toList();
  }

  private int inputIndex(ModelSpec spec, String name) {
    for (int i = 0; i < spec.inputs().size(); i++) {
      if (spec.inputs().get(i).layer().equals(name)) {
        return i;
      }
    }
    return 0;
  }

  private Placeholder<TFloat32> placeholder(LayerNode layer, List<String> path) {
    JsonNode shape = ModelConfigParser.batchShape(layer.config());
    if (shape == null) {
      throw layerError(path, layer.className(), "declares no shape (expected 'batch_input_shape', 'batch_shape' or"
          + " 'input_shape')");
    }
    long[] dims = inputDims(layer, path, shape);
    if (inputShapeOverride != null && inputs.isEmpty()) {
      if (inputShapeOverride.length != dims.length - 1) {
        throw new ModelFormatException(source, "input shape " + Arrays.toString(inputShapeOverride)
            + " does not fit input '" + layer.name() + "' of rank " + (dims.length - 1));
      }
      for (int i = 1; i < dims.length; i++) {
        if (dims[i] >= 0 && dims[i] != inputShapeOverride[i - 1]) {
          throw new ModelFormatException(source, "input '" + layer.name() + "' is fixed at " + Arrays.toString(dims)
              + "; cannot use input shape " + Arrays.toString(inputShapeOverride));
        }
        dims[i] = inputShapeOverride[i - 1];
      }
    }
    checkSize(path, layer.className(), "input", Shape.of(dims));
    Placeholder<TFloat32> p = scoped(path.subList(0, path.size() - 1)).withName(opName(layer.name())).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(dims)));
    inputs.add(p);
    inputNames.add(layer.name());
    return p;
  }

  /**
   * The declared batch shape of an input layer with the batch axis unknown: at least one axis
   * besides the batch, each null (unknown) or a positive int.
   */
  private long[] inputDims(LayerNode layer, List<String> path, JsonNode shape) {
    String key = "'batch_input_shape'";
    for (String k : new String[] {"batch_input_shape", "batch_shape", "input_shape"}) {
      if (layer.config().get(k) != null) {
        key = "'" + k + "'";
        break;
      }
    }
    if (shape.size() < 2) {
      throw layerError(path, layer.className(), key + " is " + JsonValues.show(shape)
          + ", expected the batch axis and at least one more");
    }
    long[] dims = new long[shape.size()];
    dims[0] = -1;
    for (int i = 1; i < dims.length; i++) {
      JsonNode d = shape.get(i);
      Integer n = JsonValues.exactInt(d);
      if (!d.isNull() && (n == null || n < 1)) {
        throw layerError(path, layer.className(), key + " is " + JsonValues.show(shape)
            + ", expected null or a positive int for each axis after the batch");
      }
      dims[i] = d.isNull() ? -1 : Objects.requireNonNull(n);
    }
    return dims;
  }

  private LayerOutput apply(LayerNode layer, List<String> path, String callKey, List<Operand<TFloat32>> in,
      boolean trainable) {
    LayerBuilder builder = builderFor(layer, path);
    List<Shape> shapes = in.stream().map(Operand::shape).toList();
    Ops scoped = scoped(List.of(callKey.split("/")));
    LayerContext ctx = new LayerContext(layer.className(), path, layer.config(), shapes, scoped, source);
    String key = String.join("/", path);
    Set<LayerTrait> traits = traitsOf(layer);
    if (in.isEmpty() || (in.size() != 1 && !traits.contains(LayerTrait.MERGE) && !traits.contains(LayerTrait.CUSTOM))) {
      // Built-in builders read their first input only: a second one would be dropped without a word.
      throw ctx.invalid("is called on " + in.size() + " inputs, expected " + (traits.contains(LayerTrait.MERGE)
          ? "at least one" : "one"));
    }
    try {
      List<Operand<TFloat32>> w = layerWeights.get(key);
      if (w == null) {
        w = createWeights(builder, ctx, path, trainable);
        layerWeights.put(key, w);
      }
      calls.putIfAbsent(key, new LayerCall(builder, layer.className(), path, layer.config(), w, source));
      LayerOutput out = builder.call(ctx, in, w);
      if (out == null || out.output() == null || out.preActivation() == null) {
        throw new IllegalStateException("returned no output: " + out);
      }
      checkSize(path, layer.className(), "output", out.output().shape());
      return out;
    } catch (ConvlensException e) {
      throw e;
    } catch (IllegalArgumentException | TensorFlowException e) {
      // TF's shape inference rejects the op: the config does not fit its inputs.
      throw ctx.invalid("cannot be built on input shapes " + shapes + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new IllegalStateException("the builder of layer '" + key + "' (" + layer.className() + ") failed: " + e, e);
    }
  }

  /** The builder for a layer: one given for its name or class at load time, else the registry's. */
  private LayerBuilder builderFor(LayerNode layer, List<String> path) {
    LayerBuilder b = custom.getOrDefault(layer.name(), custom.get(layer.className()));
    if (b != null) {
      return b;
    }
    LayerRegistry.Entry e = LayerRegistry.find(layer.className()).orElse(null);
    if (e != null && e.builder() != null) {
      return e.builder();
    }
    String hint = layer.className().equals("Lambda")
        ? "its Python code is never run; supply a Java rebuild with LoadOptions.withLayer(\"" + layer.name()
            + "\", builder) or LayerRegistry.register(\"Lambda\", builder)"
        : "no rebuild exists for it (`convlens layers` lists the supported classes); supply one with"
            + " LayerRegistry.register(\"" + layer.className() + "\", builder) or LoadOptions.withLayer";
    String config = layer.config() == null ? "" : layer.config().toString();
    throw new UnsupportedLayerException(source, layer.className(), String.join("/", path), hint,
        config.length() <= 4096 ? config : config.substring(0, 4096) + "...");
  }

  private Set<LayerTrait> traitsOf(LayerNode layer) {
    if (custom.containsKey(layer.name()) || custom.containsKey(layer.className())) {
      return Set.of(LayerTrait.CUSTOM);
    }
    return LayerRegistry.traits(layer.className());
  }

  private List<Operand<TFloat32>> createWeights(LayerBuilder builder, LayerContext ctx, List<String> path,
      boolean trainable) {
    List<WeightSpec> specs = builder.weights(ctx);
    if (specs.isEmpty()) {
      return List.of();
    }
    for (WeightSpec spec : specs) {
      // Before anything is read or drawn: a config of 2^20 filters must not allocate their weights.
      checkWeight(path, ctx.className(), spec);
    }
    List<WeightArray> stored = weights.weights(path, ctx.className(), specs);
    if (stored.isEmpty()) {
      if (randomSeed == null) {
        throw ctx.invalid("no stored weights for this layer (expected " + specs + ")" + (weights == WeightSource.NONE
            ? "; the model file holds an architecture only: load it with LoadOptions.withWeights(weightsFile)"
            + " or withRandomWeights(seed)" : ""));
      }
      stored = InitialWeights.keras(specs, randomSeed, String.join("/", path), ctx);
    }
    if (stored.size() != specs.size()) {
      throw ctx.invalid("the file holds " + stored.size() + " weights " + stored.stream().map(WeightArray::name).toList()
          + " but the config implies " + specs.size() + ": " + specs);
    }
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      WeightSpec spec = specs.get(i);
      FloatTensor value = stored.get(i).value();
      if (!Arrays.equals(spec.shape(), value.shape())) {
        throw ctx.invalid("weight '" + stored.get(i).name() + "' has shape " + Arrays.toString(value.shape())
            + " but the config implies " + spec.name() + Arrays.toString(spec.shape()));
      }
      String name = uniqueVariableName(path, spec.name());
      Shape shape = Shape.of(spec.shape());
      var variable = root.withName(name).variable(shape, TFloat32.class);
      Placeholder<TFloat32> init = root.withName(name + "_init").placeholder(TFloat32.class, Placeholder.shape(shape));
      var assign = root.withName(name + "_assign").assign(variable, init);
      ModelVariable mv = new ModelVariable(name, path, spec, trainable, variable, init, assign);
      variables.add(mv);
      initialValues.put(mv, value);
      out.add(variable);
    }
    return out;
  }

  /**
   * Refuses a shape with an empty axis (an output TF would compute as nothing, or fail on at
   * predict) or more than {@link #MAX_VALUES_PER_SAMPLE} values per sample.
   */
  private void checkSize(List<String> path, String className, String what, Shape s) {
    long[] sizes = new long[Math.max(0, s.numDimensions() - 1)];
    for (int i = 1; i < s.numDimensions(); i++) {
      long d = s.get(i);
      if (d == 0 || d < -1) {
        throw layerError(path, className, what + " would have shape " + s + ", which has an empty axis");
      }
      sizes[i - 1] = d < 0 ? 1 : d;  // unknown until predict
    }
    if (cappedProduct(sizes) > MAX_VALUES_PER_SAMPLE) {
      throw layerError(path, className, what + " would have shape " + s + ", more than " + MAX_VALUES_PER_SAMPLE
          + " values per sample");
    }
  }

  /** Refuses a weight shape with an axis below 1 or more values than a Java array holds. */
  private void checkWeight(List<String> path, String className, WeightSpec spec) {
    for (long d : spec.shape()) {
      if (d < 1) {
        throw layerError(path, className, "weight '" + spec.name() + "' would have shape "
            + Arrays.toString(spec.shape()) + ", which has an empty axis");
      }
    }
    if (cappedProduct(spec.shape()) > MAX_VALUES_PER_SAMPLE) {
      throw layerError(path, className, "weight '" + spec.name() + "' would have shape "
          + Arrays.toString(spec.shape()) + ", more than " + MAX_VALUES_PER_SAMPLE + " values");
    }
  }

  /** The product of positive sizes, or {@code MAX_VALUES_PER_SAMPLE + 1} once it is above that (so never an overflow). */
  static long cappedProduct(long... sizes) {
    long n = 1;
    for (long d : sizes) {
      if (d < 1) {
        return 0;
      }
      if (n > MAX_VALUES_PER_SAMPLE / d) {
        return MAX_VALUES_PER_SAMPLE + 1;
      }
      n *= d;
    }
    return n;
  }

  /** An error about a layer in the wording {@link LayerContext#invalid} uses. */
  private ModelFormatException layerError(List<String> path, String className, String message) {
    return new ModelFormatException(source, "layer '" + String.join("/", path) + "' (" + className + "): " + message);
  }

  private List<ModelVariable> variablesOf(String key) {
    return variables.stream().filter(v -> v.layer().equals(key)).toList();
  }

  private String uniqueVariableName(List<String> path, String weight) {
    String base = opName(String.join("_", path) + "_" + weight).replace('/', '_');
    String name = base;
    for (int i = 1; !variableNames.add(name); i++) {
      name = base + "_" + i;
    }
    return name;
  }

  private void register(String key, LayerNode layer, int depth, LayerOutput out, List<String> inbound,
      List<ModelVariable> vars) {
    Ops named = scoped(List.of(key.split("/")));
    Operand<TFloat32> output = named.withName("output").identity(out.output());
    Operand<TFloat32> pre = out.preActivation() == out.output() ? output : out.preActivation();
    layers.put(key, new LayerHandle(key, layer.name(), layer.className(), depth, output, pre, inbound, vars,
        layer.isModel(), traitsOf(layer)));
  }

  /** Ops nested in one name scope per path segment (TF scope names may not contain '/'). */
  private Ops scoped(List<String> segments) {
    Ops ops = root;
    for (String s : segments) {
      ops = ops.withSubScope(opName(s));
    }
    return ops;
  }

  /** TF op names allow [A-Za-z0-9_.\-/] and must not start with '_', '-' or '/'. */
  static String opName(String s) {
    String n = s.replaceAll("[^A-Za-z0-9_.\\-@]", "_").replace('@', '.');
    return n.isEmpty() || !Character.isLetterOrDigit(n.charAt(0)) ? "x" + n : n;
  }
}
