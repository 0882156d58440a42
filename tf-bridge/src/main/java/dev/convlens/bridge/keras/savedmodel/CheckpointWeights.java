package dev.convlens.bridge.keras.savedmodel;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSource;
import dev.convlens.bridge.keras.WeightSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.ObjectReference;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.SerializedTensor;

/**
 * Layer weights of a Keras SavedModel, restored from its checkpoint on demand (one small restore
 * per layer, so large models are never held twice in memory).
 *
 * <p>How a layer finds its variables: {@code keras_metadata.pb} gives each layer's object-graph
 * path ({@code root.layer_with_weights-0}, nested: {@code root.layer-1.layer_with_weights-0}); that
 * path is walked by child name through the checkpoint's {@code TrackableObjectGraph}. The layer's
 * object has one child per variable attribute ({@code kernel}, {@code bias}, ...) plus a
 * {@code variables} list in {@code layer.weights} order; a variable object carries a
 * {@code VARIABLE_VALUE} attribute with its checkpoint key and its full name ({@code dense/kernel}).
 * Walking by name rather than trusting node ids keeps this independent of how the two graphs number
 * their nodes.
 */
final class CheckpointWeights implements WeightSource {
  private static final String VARIABLE_VALUE = "VARIABLE_VALUE";

  /**
   * A variable of a layer: the attribute names the layer holds it under ({@code kernel}; empty
   * if it is only in the layer's variable list), its variable name ({@code dense/kernel}) and
   * where its value is.
   */
  record Variable(Set<String> attributeNames, String fullName, String checkpointKey) {}

  private final Path source;
  private final Checkpoint checkpoint;
  /** Layer name path (outermost model excluded) to its variables, in {@code layer.weights} order. */
  private final Map<List<String>, List<Variable>> layers;

  private CheckpointWeights(Path source, Checkpoint checkpoint, Map<List<String>, List<Variable>> layers) {
    this.source = source;
    this.checkpoint = checkpoint;
    this.layers = layers;
  }

  static CheckpointWeights index(Path source, Checkpoint checkpoint, List<KerasMetadata.Node> nodes) {
    TrackableObjectGraph graph;
    try {
      graph = TrackableObjectGraph.parseFrom(checkpoint.readBytes(Checkpoint.OBJECT_GRAPH_KEY));
    } catch (InvalidProtocolBufferException e) {
      throw new ModelFormatException(checkpoint.index(), "entry " + Checkpoint.OBJECT_GRAPH_KEY
          + " is not a TrackableObjectGraph: " + e.getMessage(), e);
    }
    Map<String, KerasMetadata.Node> layerByPath = new HashMap<>();
    for (KerasMetadata.Node node : nodes) {
      if (node.isLayer()) {
        layerByPath.put(node.nodePath(), node);
      }
    }
    Map<List<String>, List<Variable>> layers = new LinkedHashMap<>();
    for (KerasMetadata.Node node : nodes) {
      if (!node.isLayer() || node.isRoot()) {
        continue;
      }
      Integer objectId = walk(graph, node.nodePath());
      List<Variable> variables = objectId == null ? List.of() : variablesOf(graph, objectId);
      layers.putIfAbsent(namePath(node, layerByPath), variables);
    }
    return new CheckpointWeights(source, checkpoint, layers);
  }

  @Override
  public List<WeightArray> weights(List<String> layerPath, String layerClass, List<WeightSpec> expected) {
    List<Variable> variables = layers.getOrDefault(layerPath, List.of());
    if (variables.isEmpty() || expected.isEmpty()) {
      return List.of();
    }
    List<Variable> chosen = new ArrayList<>(expected.size());
    List<String> missing = new ArrayList<>();
    for (WeightSpec spec : expected) {
      String wanted = shortName(spec.name());
      // The attribute name is the layer's own word for it; the variable name is what Keras
      // weight names use (they differ for e.g. Normalization: adapt_mean vs mean).
      variables.stream().filter(v -> v.attributeNames().contains(wanted)).findFirst()
          .or(() -> variables.stream().filter(v -> shortName(v.fullName()).equals(wanted)).findFirst())
          .ifPresentOrElse(chosen::add, () -> missing.add(wanted));
    }
    if (!missing.isEmpty()) {
      throw new ModelFormatException(source, "layer " + String.join("/", layerPath) + " (" + layerClass
          + "): checkpoint has no variable " + missing + "; the layer's variables are "
          + variables.stream().map(Variable::fullName).toList());
    }
    for (int i = 0; i < chosen.size(); i++) {
      // The shape the checkpoint declares, checked before RestoreV2 allocates it.
      long[] stored = checkpoint.entry(chosen.get(i).checkpointKey(), DataType.DT_FLOAT).shape();
      if (!Arrays.equals(stored, expected.get(i).shape())) {
        throw new ModelFormatException(source, "layer '" + String.join("/", layerPath) + "' (" + layerClass
            + "): checkpoint variable '" + chosen.get(i).fullName() + "' has shape " + Arrays.toString(stored)
            + " but the config implies " + expected.get(i));
      }
    }
    List<FloatTensor> values = checkpoint.readFloats(chosen.stream().map(Variable::checkpointKey).toList());
    List<WeightArray> out = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      out.add(new WeightArray(chosen.get(i).fullName(), values.get(i)));
    }
    return out;
  }

  /**
   * Names of the enclosing layers that are themselves Keras objects (nested models), then the
   * layer's own name: {@code root.layer-1.layer_with_weights-0} gives {@code [sequential, dense]}.
   */
  private static List<String> namePath(KerasMetadata.Node node, Map<String, KerasMetadata.Node> layerByPath) {
    String[] segments = node.nodePath().split("\\.");
    List<String> names = new ArrayList<>();
    StringBuilder prefix = new StringBuilder(segments[0]);
    for (int i = 1; i < segments.length - 1; i++) {
      prefix.append('.').append(segments[i]);
      KerasMetadata.Node enclosing = layerByPath.get(prefix.toString());
      if (enclosing != null) {
        names.add(enclosing.name());
      }
    }
    names.add(node.name());
    return List.copyOf(names);
  }

  /** The object id at a dot path of child names from the root (id 0), or null if absent. */
  private static @Nullable Integer walk(TrackableObjectGraph graph, String nodePath) {
    String[] segments = nodePath.split("\\.");
    int id = 0;
    for (int i = 1; i < segments.length; i++) {
      Integer next = child(graph.getNodes(id), segments[i]);
      if (next == null || next >= graph.getNodesCount()) {
        return null;
      }
      id = next;
    }
    return id;
  }

  private static @Nullable Integer child(TrackableObject object, String localName) {
    for (ObjectReference ref : object.getChildrenList()) {
      if (ref.getLocalName().equals(localName)) {
        return ref.getNodeId();
      }
    }
    return null;
  }

  /**
   * A layer's variables: first those of its {@code variables} list (declaration order), then any
   * other direct variable children.
   */
  private static List<Variable> variablesOf(TrackableObjectGraph graph, int layerId) {
    TrackableObject layer = graph.getNodes(layerId);
    Map<Integer, Set<String>> namesById = new LinkedHashMap<>();
    Integer list = child(layer, "variables");
    if (list != null && list < graph.getNodesCount()) {
      for (ObjectReference ref : graph.getNodes(list).getChildrenList()) {
        if (valueOf(graph, ref.getNodeId()) != null) {
          namesById.computeIfAbsent(ref.getNodeId(), k -> new LinkedHashSet<>());
        }
      }
    }
    for (ObjectReference ref : layer.getChildrenList()) {
      if (valueOf(graph, ref.getNodeId()) != null) {
        namesById.computeIfAbsent(ref.getNodeId(), k -> new LinkedHashSet<>()).add(ref.getLocalName());
      }
    }
    List<Variable> variables = new ArrayList<>(namesById.size());
    namesById.forEach((id, names) -> {
      SerializedTensor value = Objects.requireNonNull(valueOf(graph, id));
      variables.add(new Variable(Set.copyOf(names), value.getFullName(), value.getCheckpointKey()));
    });
    return List.copyOf(variables);
  }

  private static @Nullable SerializedTensor valueOf(TrackableObjectGraph graph, int id) {
    if (id < 0 || id >= graph.getNodesCount()) {
      return null;
    }
    for (SerializedTensor attribute : graph.getNodes(id).getAttributesList()) {
      if (attribute.getName().equals(VARIABLE_VALUE)) {
        return attribute;
      }
    }
    return null;
  }

  /** {@code conv1/kernel:0}, {@code conv1/kernel} and {@code kernel} all give {@code kernel}. */
  static String shortName(String name) {
    int colon = name.lastIndexOf(':');
    String s = colon > name.lastIndexOf('/') && colon >= 0 ? name.substring(0, colon) : name;
    return s.substring(s.lastIndexOf('/') + 1);
  }
}
