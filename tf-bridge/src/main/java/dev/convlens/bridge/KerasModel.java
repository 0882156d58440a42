package dev.convlens.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.export.KerasH5Export;
import dev.convlens.bridge.export.ModelWeights;
import dev.convlens.bridge.export.SavedModelExport;
import dev.convlens.bridge.graph.BuiltModel;
import dev.convlens.bridge.graph.GraphBuilder;
import dev.convlens.bridge.keras.CheckedWeights;
import dev.convlens.bridge.keras.KerasArtifact;
import dev.convlens.bridge.keras.KerasFiles;
import dev.convlens.bridge.keras.ModelConfigParser;
import dev.convlens.bridge.keras.ModelSpec;
import dev.convlens.bridge.keras.WeightSource;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import dev.convlens.bridge.spi.ModelRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * A Keras model rebuilt as a TensorFlow Java graph from Java ops: every layer output can be
 * fetched, differentiated and trained. Load one with {@link #load(Path)}; it owns native memory,
 * so close it. All ops exist before the first call, so one instance serves concurrent callers;
 * after {@link #close()} every method throws {@link ModelClosedException}.
 */
public final class KerasModel implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(KerasModel.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long {@link #close()} waits for runs in flight before leaving the release to the last of them. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  private final String name;
  private final String configJson;
  /** The config's top-level class: Sequential, Functional or Model. */
  private final String modelClass;
  private final OwnedGraph owned;
  private final List<LayerInfo> layers;
  private final @Nullable Path source;

  KerasModel(String name, JsonNode config, OwnedGraph owned, @Nullable Path source) {
    this.name = name;
    this.configJson = config.toString();
    this.modelClass = config.path("class_name").asText();
    this.owned = owned;
    this.source = source;
    BuiltModel built = owned.built();
    List<LayerInfo> infos = new ArrayList<>();
    for (String key : built.layerOrder()) {
      LayerHandle h = Objects.requireNonNull(built.layers().get(key));
      infos.add(new LayerInfo(h.path(), h.name(), h.className(), h.outputShape(), h.parameterCount(),
          h.trainableParameterCount(), h.inbound(), h.depth(), h.traits()));
    }
    this.layers = List.copyOf(infos);
  }

  /** Loads any Keras model file or directory; the format is detected from its content. */
  public static KerasModel load(Path path) {
    return load(path, LoadOptions.defaults());
  }

  public static KerasModel load(Path path, LoadOptions options) {
    // Only a directory can be a SavedModel: files are detected once, by read().
    if (options.weights() == null && path != null && Files.isDirectory(path)
        && KerasFiles.detect(path) == KerasFiles.Kind.TF_SAVED_MODEL) {
      return SignatureModel.load(path);
    }
    KerasArtifact artifact = KerasFiles.read(path, options.weights(), options.limits());
    return fromArtifact(artifact, options, true);
  }

  /**
   * Builds a model from a Keras config (the JSON of {@code model.to_json()}, or a built-in
   * architecture such as {@code Vgg16.Options.defaults().config()}) with the weights of
   * {@link LoadOptions#weights()}, or random weights when {@link LoadOptions#randomWeightsSeed()} is set.
   */
  public static KerasModel fromConfig(String modelConfigJson, LoadOptions options) {
    JsonNode config = parseConfig(modelConfigJson);
    WeightSource weights = options.weights() != null ? KerasFiles.weightsFile(options.weights()) : WeightSource.NONE;
    return fromArtifact(new KerasArtifact(config, weights, options.weights(), "config"), options, true);
  }

  /**
   * A new model from another config for the same layers (e.g. with other trainable flags or a
   * dropout rate) with this model's current weights, matched by layer path.
   */
  public KerasModel withConfig(String modelConfigJson, LoadOptions options) {
    return fromConfig(modelConfigJson, ModelWeights.of(owned), options);
  }

  /**
   * Builds a model from a Keras config and a weight source (e.g. another model's current weights).
   * The source's values are taken as they are (non-finite ones too); only the weight limit applies.
   */
  public static KerasModel fromConfig(String modelConfigJson, WeightSource weights, LoadOptions options) {
    return fromArtifact(new KerasArtifact(parseConfig(modelConfigJson), weights, null, "config"), options, false);
  }

  private static JsonNode parseConfig(String json) {
    if (json == null) {
      throw new InvalidInputException("model config is null");
    }
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new ModelFormatException(null, "model config is not JSON: " + e.getMessage(), e);
    }
  }

  /** {@code fromFile}: the weights were read from a file, so non-finite values are refused unless allowed. */
  static KerasModel fromArtifact(KerasArtifact artifact, LoadOptions options, boolean fromFile) {
    long start = System.nanoTime();
    Path source = artifact.source();
    Path valuesFile = options.weights() != null ? options.weights() : source;
    Graph graph = new Graph();
    Session session = null;
    // An architecture without weights or random values allocates none (and keeps the builder's hint for it).
    boolean nothingToRead = artifact.weights() == WeightSource.NONE && options.randomWeightsSeed() == null;
    try (WeightSource weights = nothingToRead ? WeightSource.NONE : new CheckedWeights(artifact.weights(), source,
        valuesFile, options.limits().maxWeightBytes(), fromFile && !options.nonFiniteWeights())) {
      ModelSpec spec = ModelConfigParser.parse(artifact.modelConfig(), source);
      long[] inputShape = options.inputShape() != null ? options.inputShape() : artifact.inputShape();
      BuiltModel built = new GraphBuilder(graph, weights, source, inputShape, options.randomWeightsSeed(), options.layers())
          .build(spec);
      session = Sessions.create(graph, options.session());
      OwnedGraph owned = new OwnedGraph(spec.name(), graph, session, built);
      owned.assignVariables(built.initialValues());
      built.initialValues().clear();
      LOG.debug("loaded {} ({}) in {} ms", source, artifact.formatDescription(), (System.nanoTime() - start) / 1_000_000);
      return new KerasModel(spec.name(), artifact.modelConfig(), owned, source);
    } catch (RuntimeException e) {
      if (session != null) {
        session.close();
      }
      graph.close();
      Path weightsFile = options.weights();
      if (e instanceof ModelFormatException m && !(e instanceof UnsupportedLayerException) && weightsFile != null
          && source != null && source.equals(m.source()) && !source.equals(weightsFile)) {
        // Errors about layer weights name the model file; a mismatched weights file is the likelier culprit.
        throw new ModelFormatException(source, m.detail() + " [weights from " + weightsFile + "]", e);
      }
      if (e instanceof ConvlensException || e instanceof IllegalStateException) {
        throw e;  // a format error already naming the file, or a bug in a layer builder naming the layer
      }
      throw new ModelFormatException(source, "cannot rebuild the model: " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  /** The model's Keras config (the JSON of {@code model.to_json()}), as loaded. */
  public String config() {
    return configJson;
  }

  String modelClass() {
    return modelClass;
  }

  /** The file or directory the model came from, or null. */
  public @Nullable Path source() {
    return source;
  }

  /**
   * The input shape, batch axis as -1, e.g. {@code [-1, 224, 224, 3]}. A model with several inputs
   * has no one shape: {@link #inputShapes()}.
   */
  public long[] inputShape() {
    requireSingle(owned.inputNames(), "inputs", "give them by name to predict(Map); inputShapes() has their shapes");
    return owned.inputShape();
  }

  /**
   * The output shape, batch axis as -1, e.g. {@code [-1, 1000]} for a classifier. A model with
   * several outputs has no one shape: fetch them with {@link #predict(Map)}.
   */
  public long[] outputShape() {
    requireSingle(owned.outputNames(), "outputs", "predict(Map) returns them all");
    return owned.outputShape();
  }

  /** Each input's shape by name, in the config's order. */
  public Map<String, long[]> inputShapes() {
    Map<String, long[]> out = new LinkedHashMap<>();
    List<String> names = owned.inputNames();
    for (int i = 0; i < names.size(); i++) {
      out.put(names.get(i), owned.built().inputs().get(i).shape().asArray());
    }
    return Collections.unmodifiableMap(out);
  }

  /** The names of the input layers, in the config's order. */
  public List<String> inputNames() {
    return owned.inputNames();
  }

  /** The names of the layers whose outputs are the model's outputs, in the config's order. */
  public List<String> outputNames() {
    return owned.outputNames();
  }

  private void requireSingle(List<String> names, String what, String instead) {
    if (names.size() != 1) {
      throw new InvalidInputException("model '" + name + "' has " + names.size() + " " + what + " ("
          + String.join(", ", names) + "): " + instead);
    }
  }

  /** Every layer in build order, nested models' layers included under their path. */
  public List<LayerInfo> layers() {
    owned.ensureOpen();
    owned.requireLayers();
    return layers;
  }

  /** A layer by nested path ({@code vgg16/block5_conv3}) or by Keras name when that is unique. */
  public LayerInfo layer(String nameOrPath) {
    String key = owned.resolve(nameOrPath);
    return layers.stream().filter(l -> l.path().equals(key)).findFirst().orElseThrow();
  }

  /**
   * Runs a single-input, single-output model on a batch {@code [N, H, W, C]} (or one sample
   * {@code [H, W, C]}) and returns its output; other models take {@link #predict(Map)}.
   *
   * <p>Cost: one graph run, growing with the model's size and the batch (VGG16 without top at
   * 224x224: about 0.7 s per image on 2 cores, {@code convlens bench forward}). A pending
   * interrupt of the calling thread stops it before the run with {@link CancelledException}; a run
   * once started runs to its end (neither an interrupt nor TensorFlow's run timeout stops its
   * kernels), so split a large batch to bound the time one call takes.
   */
  public FloatTensor predict(FloatTensor input) {
    requireSingle(owned.inputNames(), "inputs", "give them by name to predict(Map)");
    requireSingle(owned.outputNames(), "outputs", "predict(Map) returns them all");
    return owned.newRun().feedInput(input).fetch(owned.output()).run().get(0);
  }

  /**
   * Runs the model on named inputs (every input layer's name, each a batch or one sample; the same
   * batch size for all) and returns every output by its layer's name, as Keras' {@code predict} on a
   * dict does. Cost and interrupts as {@link #predict(FloatTensor)}: one graph run.
   */
  public Map<String, FloatTensor> predict(Map<String, FloatTensor> inputs) {
    ModelRun run = feedAll(inputs);
    List<String> outputs = owned.outputNames();
    outputs.forEach(o -> run.fetch(owned.output(o)));
    List<FloatTensor> values = run.run();
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      out.put(outputs.get(i), values.get(i));
    }
    return Collections.unmodifiableMap(out);
  }

  /** A run fed every named input, refusing missing or unknown names and mixed batch sizes. */
  private ModelRun feedAll(Map<String, FloatTensor> inputs) {
    InvalidInputException.requireNonNull(inputs, "inputs");
    List<String> names = owned.inputNames();
    if (!inputs.keySet().equals(new java.util.HashSet<>(names))) {
      throw new InvalidInputException("model '" + name + "' takes inputs " + names + ", got " + inputs.keySet());
    }
    ModelRun run = owned.newRun();
    long batch = -1;
    for (String n : names) {
      FloatTensor x = Objects.requireNonNull(inputs.get(n));
      run.feedInput(n, x);
      long b = x.rank() == owned.inputShapeOf(n).length ? x.dim(0) : 1;
      if (batch >= 0 && b != batch) {
        throw new InvalidInputException("model '" + name + "': input '" + n + "' has a batch of " + b + ", the others "
            + batch + "; every input needs the same batch size");
      }
      batch = b;
    }
    return run;
  }

  /**
   * The outputs of the named layers for one batch, fetched in a single session run, keyed by the
   * names as given, in that order. Cost: one graph run up to the deepest layer named (at most a
   * {@link #predict(FloatTensor)}), plus copying the outputs into the heap. A pending interrupt
   * stops it before the run ({@link CancelledException}); a run once started runs to its end.
   */
  public Map<String, FloatTensor> activations(FloatTensor input, Collection<String> layerNames) {
    requireSingle(owned.inputNames(), "inputs", "give them by name to activations(Map, layers)");
    return activations(owned.newRun().feedInput(input), layerNames);
  }

  /** The outputs of the named layers for named inputs (multi-input models), as {@link #predict(Map)} takes them. */
  public Map<String, FloatTensor> activations(Map<String, FloatTensor> inputs, Collection<String> layerNames) {
    return activations(feedAll(inputs), layerNames);
  }

  private Map<String, FloatTensor> activations(ModelRun run, Collection<String> layerNames) {
    for (String l : layerNames) {
      run.fetch(owned.layer(l).output());
    }
    List<FloatTensor> values = run.run();
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    int i = 0;
    for (String l : layerNames) {
      out.put(l, values.get(i++));
    }
    return Collections.unmodifiableMap(out);
  }

  /** The Keras-style summary: layers, output shapes, parameter counts and totals. */
  public String summary() {
    return summary(false);
  }

  /** The summary with nested models' layers listed under them. */
  public String summary(boolean expandNested) {
    if (owned.predictOnlyReason() != null) {
      StringBuilder s = new StringBuilder("Model: \"" + name + "\" (TensorFlow SavedModel signature; "
          + "predict only)\n");
      inputShapes().forEach((n, shape) -> s.append("  input  ").append(n).append(" ").append(shapeText(shape))
          .append('\n'));
      List<String> outputs = owned.outputNames();
      for (String o : outputs) {
        s.append("  output ").append(o).append(" ").append(shapeText(owned.output(o).shape().asArray())).append('\n');
      }
      return s.toString();
    }
    return Summary.format(this, expandNested);
  }

  /** Writes a SavedModel (signatures {@code serving_default} and {@code activations}), atomically. */
  public void exportSavedModel(Path dir) {
    exportSavedModel(dir, null);
  }

  /** As {@link #exportSavedModel(Path)} with the {@code activations} signature limited to these layers. */
  public void exportSavedModel(Path dir, @Nullable Collection<String> activationLayers) {
    owned.requireLayers();
    List<String> keys = new ArrayList<>();
    if (activationLayers == null) {
      keys.addAll(owned.built().layerOrder());
    } else {
      activationLayers.forEach(l -> keys.add(owned.resolve(l)));
    }
    // The exporter adds its saver ops to the graph: no run may be in flight.
    owned.exclusive(session -> {
      SavedModelExport.write(owned, session, parseConfig(configJson), layers.get(0).name(), keys, dir);
      return null;
    });
  }

  /** Writes the model with its current weights as a Keras 2 full-model HDF5 file, atomically. */
  public void saveKerasH5(Path file) {
    saveKerasH5(file, configJson);
  }

  /**
   * As {@link #saveKerasH5(Path)} with another config for the same layers (e.g. with the trainable
   * flags of a fine-tuning run).
   */
  public void saveKerasH5(Path file, String modelConfigJson) {
    owned.requireLayers();
    KerasH5Export.write(owned, parseConfig(modelConfigJson), file);
  }

  /**
   * The door for convlens modules that add ops to the graph (gradients, training): see {@link
   * dev.convlens.bridge.spi}. Not for applications; the build allows only visualize, finetune
   * and cli to use it.
   */
  public ModelGraph graph() {
    owned.ensureOpen();
    owned.requireLayers();  // a predict-only model has no layers to extend or look up
    return owned;
  }

  static String shapeText(long[] shape) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      b.append(i > 0 ? ", " : "").append(shape[i] < 0 ? "None" : Long.toString(shape[i]));
    }
    return b.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /**
   * Refuses new calls, waits for runs in flight (at most 30 s; a run still going then frees the
   * model when it ends), then frees the native graph and session. Idempotent.
   */
  @Override
  public void close() {
    owned.close(CLOSE_WAIT);
  }
}
