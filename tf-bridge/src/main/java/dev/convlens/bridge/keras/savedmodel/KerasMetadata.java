package dev.convlens.bridge.keras.savedmodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.convlens.bridge.LoadLimits;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.io.InputPaths;
import dev.convlens.bridge.keras.BoundedRead;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of {@code keras_metadata.pb}: one per saved Keras object (model, layer, metric) with
 * its object-graph path and its Keras metadata JSON.
 *
 * <p>The file is Keras' {@code SavedMetadata} proto, which TF Java does not ship, so it is walked
 * field by field. Field numbers, checked on tf.keras 2.10 and 2.11 files:
 * {@code SavedMetadata { repeated SavedObject nodes = 1; }},
 * {@code SavedObject { int32 node_id = 2; string node_path = 3; string identifier = 4;
 * string metadata = 5; VersionDef version = 6; }} (node_id 0, the root, is omitted as the default).
 */
final class KerasMetadata {
  static final String FILE_NAME = "keras_metadata.pb";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int NODES = 1;
  private static final int NODE_ID = 2;
  private static final int NODE_PATH = 3;
  private static final int IDENTIFIER = 4;
  private static final int METADATA = 5;

  /**
   * One saved object. {@code nodePath} is dot-separated object-graph child names from the root,
   * e.g. {@code root.layer_with_weights-0}; {@code identifier} is the Keras kind, e.g.
   * {@code _tf_keras_layer}, {@code _tf_keras_network}, {@code _tf_keras_metric}.
   */
  record Node(int nodeId, String nodePath, String identifier, JsonNode metadata) {
    boolean isRoot() {
      return "root".equals(nodePath);
    }

    /** Layers and models; metrics are Keras objects too but hold no model weights. */
    boolean isLayer() {
      return identifier.startsWith("_tf_keras") && !identifier.equals("_tf_keras_metric");
    }

    String name() {
      return metadata.path("name").asText("");
    }
  }

  private KerasMetadata() {}

  static List<Node> read(Path file, LoadLimits limits) {
    String problem = InputPaths.problem(file, false);
    if (problem != null) {
      throw new ModelFormatException(file, problem);
    }
    return parse(BoundedRead.file(file, limits.maxConfigBytes(), FILE_NAME, "LoadLimits.maxConfigBytes"), file);
  }

  static List<Node> parse(byte[] bytes, Path file) {
    List<Node> nodes = new ArrayList<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (WireFormat.getTagFieldNumber(tag) == NODES
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          nodes.add(parseNode(in.readBytes(), file));
        } else {
          in.skipField(tag);
        }
      }
    } catch (IOException e) {
      // InvalidProtocolBufferException: truncated or not a protobuf at all.
      throw new ModelFormatException(file, "not a Keras SavedMetadata protobuf: " + e.getMessage(), e);
    }
    if (nodes.stream().noneMatch(Node::isRoot)) {
      throw new ModelFormatException(file, "no Keras object with node_path 'root' (" + nodes.size()
          + " records); the file is corrupt or not Keras metadata");
    }
    return nodes;
  }

  private static Node parseNode(ByteString message, Path file) throws IOException {
    int nodeId = 0;
    String path = null;
    String identifier = "";
    String metadata = null;
    CodedInputStream in = message.newCodedInput();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      int wire = WireFormat.getTagWireType(tag);
      if (field == NODE_ID && wire == WireFormat.WIRETYPE_VARINT) {
        nodeId = in.readInt32();
      } else if (field == NODE_PATH && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        path = in.readStringRequireUtf8();
      } else if (field == IDENTIFIER && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        identifier = in.readStringRequireUtf8();
      } else if (field == METADATA && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        metadata = in.readStringRequireUtf8();
      } else {
        in.skipField(tag);
      }
    }
    if (path == null || metadata == null) {
      throw new ModelFormatException(file, "Keras object record (node_id " + nodeId + ") lacks "
          + (path == null ? "node_path" : "metadata JSON"));
    }
    try {
      return new Node(nodeId, path, identifier, JSON.readTree(metadata));
    } catch (JsonProcessingException e) {
      throw new ModelFormatException(file, "metadata of '" + path + "' is not valid JSON: "
          + e.getOriginalMessage(), e);
    }
  }
}
