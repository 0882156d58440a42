package dev.convlens.bridge.keras.savedmodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.keras.KerasArtifact;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSource;
import dev.convlens.bridge.keras.WeightSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.ObjectReference;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.SerializedTensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * A SavedModel written here in the layout tf.keras 2.10/2.11 uses (checked against the real files):
 * a Functional "outer" holding a nested Sequential "inner" [dense, bn], its own layer also named
 * "dense", and a Normalization-style layer whose attribute names differ from its variable names.
 */
class NestedSavedModelTest {
  @TempDir static Path dir;
  private static KerasArtifact artifact;

  /** Object graph under construction: node ids in insertion order, checkpoint values by key. */
  private static final List<TrackableObject.Builder> NODES = new ArrayList<>();
  private static final Map<String, FloatTensor> VALUES = new LinkedHashMap<>();

  @BeforeAll
  static void writeModel() throws IOException {
    int root = node();
    int input = node();
    int inner = node();
    int innerDense = node();
    int bn = node();
    int outerDense = node();
    int norm = node();
    child(root, "layer-0", input);
    child(root, "layer_with_weights-0", inner);
    child(root, "layer-1", inner);
    child(root, "layer_with_weights-1", outerDense);
    child(root, "layer-2", outerDense);
    child(root, "layer_with_weights-2", norm);
    child(inner, "layer_with_weights-0", innerDense);
    child(inner, "layer_with_weights-1", bn);

    String innerPath = "layer_with_weights-0/";
    List<Integer> innerVars = new ArrayList<>();
    innerVars.add(variable(innerDense, "kernel", "dense/kernel", innerPath + "layer_with_weights-0/", 1f, 2, 3));
    innerVars.add(variable(innerDense, "bias", "dense/bias", innerPath + "layer_with_weights-0/", 10f, 3));
    for (String name : List.of("gamma", "beta", "moving_mean", "moving_variance")) {
      innerVars.add(variable(bn, name, "bn/" + name, innerPath + "layer_with_weights-1/", 100f + innerVars.size(), 3));
    }
    list(inner, innerVars); // a nested model lists all its layers' variables
    list(innerDense, innerVars.subList(0, 2));
    variable(outerDense, "kernel", "dense/kernel", "layer_with_weights-1/", -1f, 3, 2);
    variable(outerDense, "bias", "dense/bias", "layer_with_weights-1/", -10f, 2);
    variable(norm, "adapt_mean", "norm/mean", "layer_with_weights-2/", 7f, 2);
    variable(norm, "adapt_variance", "norm/variance", "layer_with_weights-2/", 8f, 2);
    variable(norm, "count", "norm/count", "layer_with_weights-2/", 9f);
    writeCheckpoint();

    Files.write(dir.resolve("keras_metadata.pb"), KerasMetadataBytes.of(
        record(0, "root", "_tf_keras_network", "outer", "Functional"),
        record(1, "root.layer-0", "_tf_keras_input_layer", "input_1", "InputLayer"),
        record(inner, "root.layer_with_weights-0", "_tf_keras_sequential", "inner", "Sequential"),
        record(innerDense, "root.layer_with_weights-0.layer_with_weights-0", "_tf_keras_layer", "dense", "Dense"),
        record(bn, "root.layer_with_weights-0.layer_with_weights-1", "_tf_keras_layer", "bn", "BatchNormalization"),
        record(outerDense, "root.layer_with_weights-1", "_tf_keras_layer", "dense", "Dense"),
        record(norm, "root.layer_with_weights-2", "_tf_keras_layer", "norm", "Normalization"),
        record(99, "root.keras_api.metrics.0", "_tf_keras_metric", "loss", "Mean")));
    Files.write(dir.resolve("saved_model.pb"), new byte[0]); // not read for Keras models
    artifact = KerasSavedModelReader.read(dir);
  }

  @Test
  void nestedAndOuterLayersOfTheSameNameAreTold() {
    WeightSource weights = artifact.weights();
    List<WeightArray> inner = weights.weights(List.of("inner", "dense"), "Dense",
        List.of(spec("kernel", 2, 3), spec("bias", 3)));
    List<WeightArray> outer = weights.weights(List.of("dense"), "Dense",
        List.of(spec("kernel", 3, 2), spec("bias", 2)));

    assertEquals(VALUES.get("layer_with_weights-0/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"), inner.get(0).value());
    assertArrayEquals(new long[] {2, 3}, inner.get(0).value().shape());
    assertArrayEquals(new long[] {3, 2}, outer.get(0).value().shape());
    assertEquals(-10f, outer.get(1).value().data()[0]);
  }

  /** A config implying another shape than the checkpoint's index declares: refused before RestoreV2 allocates it. */
  @Test
  void shapesAreCheckedAgainstTheIndexBeforeRestoring() {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> artifact.weights()
        .weights(List.of("dense"), "Dense", List.of(spec("kernel", 30000, 20000), spec("bias", 2))));
    assertTrue(e.getMessage().contains("layer 'dense' (Dense)") && e.getMessage().contains("dense/kernel")
        && e.getMessage().contains("[3, 2]") && e.getMessage().contains("kernel[30000, 20000]"), e.getMessage());
  }

  @Test
  void weightsComeInTheOrderAsked() {
    List<WeightArray> bn = artifact.weights().weights(List.of("inner", "bn"), "BatchNormalization",
        List.of(spec("moving_variance", 3), spec("gamma", 3)));
    assertEquals(List.of("bn/moving_variance", "bn/gamma"), bn.stream().map(WeightArray::name).toList());
  }

  @Test
  void variableNamesMatchWhenAttributeNamesDiffer() {
    List<WeightArray> norm = artifact.weights().weights(List.of("norm"), "Normalization",
        List.of(spec("mean", 2), spec("variance", 2), spec("count")));
    assertEquals(7f, norm.get(0).value().data()[0]);
    assertEquals(8f, norm.get(1).value().data()[0]);
    assertEquals(0, norm.get(2).value().rank());
  }

  @Test
  void layersWithoutOwnWeightsGiveNothingAndMissingOnesAreNamed() {
    assertEquals(List.of(), artifact.weights().weights(List.of("inner"), "Sequential", List.of()));
    assertEquals(List.of(), artifact.weights().weights(List.of("input_1"), "InputLayer", List.of()));
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> artifact.weights().weights(List.of("inner", "dense"), "Dense", specs("kernel", "bias", "gamma")));
    assertTrue(e.getMessage().contains("inner/dense") && e.getMessage().contains("[gamma]"), e.getMessage());
  }

  /** A weight of the shape the checkpoint declares: readers check it before restoring. */
  private static WeightSpec spec(String name, long... shape) {
    return new WeightSpec(name, shape, true);
  }

  private static List<WeightSpec> specs(String... names) {
    List<WeightSpec> specs = new ArrayList<>();
    for (String name : names) {
      specs.add(new WeightSpec(name, new long[0], true)); // shapes are the graph builder's check
    }
    return specs;
  }

  private static KerasMetadataBytes.Record record(int id, String path, String identifier, String name, String cls) {
    String config = "{\"name\": \"" + name + "\", \"layers\": []}";
    return new KerasMetadataBytes.Record(id, path, identifier,
        "{\"name\": \"" + name + "\", \"class_name\": \"" + cls + "\", \"config\": " + config + "}");
  }

  private static int node() {
    NODES.add(TrackableObject.newBuilder());
    return NODES.size() - 1;
  }

  private static void child(int parent, String localName, int child) {
    NODES.get(parent).addChildren(ObjectReference.newBuilder().setLocalName(localName).setNodeId(child));
  }

  private static void list(int layer, List<Integer> variables) {
    int list = node();
    child(layer, "variables", list);
    for (int i = 0; i < variables.size(); i++) {
      child(list, Integer.toString(i), variables.get(i));
    }
  }

  /** A variable object under {@code layer}, filled with {@code first, first+1, ...}. */
  private static int variable(int layer, String attribute, String fullName, String keyPrefix, float first, long... shape) {
    int id = node();
    child(layer, attribute, id);
    String key = keyPrefix + attribute + "/.ATTRIBUTES/VARIABLE_VALUE";
    NODES.get(id).addAttributes(SerializedTensor.newBuilder()
        .setName("VARIABLE_VALUE").setFullName(fullName).setCheckpointKey(key));
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] data = new float[(int) n];
    for (int i = 0; i < data.length; i++) {
      data[i] = first + i;
    }
    VALUES.put(key, new FloatTensor(shape, data));
    return id;
  }

  private static void writeCheckpoint() throws IOException {
    TrackableObjectGraph.Builder graph = TrackableObjectGraph.newBuilder();
    NODES.forEach(graph::addNodes);
    Files.createDirectories(dir.resolve("variables"));
    List<String> keys = new ArrayList<>(VALUES.keySet());
    keys.add(Checkpoint.OBJECT_GRAPH_KEY);
    try (Graph g = new Graph(); Session session = new Session(g);
        TString objectGraph = TString.tensorOfBytes(NdArrays.scalarOfObject(graph.build().toByteArray()))) {
      Ops tf = Ops.create(g);
      List<Operand<?>> tensors = new ArrayList<>();
      for (FloatTensor value : VALUES.values()) {
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(value.shape()), DataBuffers.of(value.data(), true, false))) {
          tensors.add(tf.constantOf(t));
        }
      }
      tensors.add(tf.constantOf(objectGraph));
      session.run(tf.train.save(
          tf.constant(dir.resolve("variables").resolve("variables").toString()),
          tf.constant(StandardCharsets.UTF_8, keys.toArray(String[]::new)),
          tf.constant(StandardCharsets.UTF_8, keys.stream().map(k -> "").toArray(String[]::new)),
          tensors));
    }
  }
}
