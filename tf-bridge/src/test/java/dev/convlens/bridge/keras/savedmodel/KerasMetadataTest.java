package dev.convlens.bridge.keras.savedmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.convlens.bridge.ModelFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The keras_metadata.pb wire format, on bytes written here field by field. */
class KerasMetadataTest {
  private static final Path FILE = Path.of("keras_metadata.pb");

  @Test
  void readsRecordsByFieldNumberAndDefaultsRootIdToZero() {
    byte[] bytes = KerasMetadataBytes.of(
        new KerasMetadataBytes.Record(0, "root", "_tf_keras_network", "{\"name\": \"model\", \"class_name\": \"Functional\"}"),
        new KerasMetadataBytes.Record(3, "root.layer_with_weights-0", "_tf_keras_layer", "{\"name\": \"dense\"}"),
        new KerasMetadataBytes.Record(84, "root.keras_api.metrics.0", "_tf_keras_metric", "{\"name\": \"loss\"}"));

    List<KerasMetadata.Node> nodes = KerasMetadata.parse(bytes, FILE);

    assertEquals(3, nodes.size());
    assertEquals(0, nodes.get(0).nodeId());
    assertTrue(nodes.get(0).isRoot());
    assertEquals("Functional", nodes.get(0).metadata().get("class_name").asText());
    assertEquals(3, nodes.get(1).nodeId());
    assertEquals("root.layer_with_weights-0", nodes.get(1).nodePath());
    assertEquals("dense", nodes.get(1).name());
    assertTrue(nodes.get(1).isLayer());
    assertFalse(nodes.get(2).isLayer(), "metrics are not layers");
  }

  @Test
  void skipsUnknownFields() {
    ByteString extra = ByteString.copyFrom("ignored", StandardCharsets.UTF_8);
    byte[] bytes = KerasMetadataBytes.withUnknownFields(extra,
        new KerasMetadataBytes.Record(0, "root", "_tf_keras_sequential", "{\"name\": \"s\"}"));
    assertEquals("s", KerasMetadata.parse(bytes, FILE).get(0).name());
  }

  @Test
  void garbageNamesTheFile() {
    byte[] garbage = "this is not a protobuf, just text".getBytes(StandardCharsets.UTF_8);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasMetadata.parse(garbage, FILE));
    assertTrue(e.getMessage().contains("keras_metadata.pb"), e.getMessage());
  }

  @Test
  void missingRootIsReported() {
    byte[] bytes = KerasMetadataBytes.of(
        new KerasMetadataBytes.Record(1, "root.layer-0", "_tf_keras_layer", "{\"name\": \"x\"}"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasMetadata.parse(bytes, FILE));
    assertTrue(e.getMessage().contains("'root'"), e.getMessage());
  }

  @Test
  void invalidJsonNamesTheObject() {
    byte[] bytes = KerasMetadataBytes.of(new KerasMetadataBytes.Record(0, "root", "_tf_keras_network", "{oops"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasMetadata.parse(bytes, FILE));
    assertTrue(e.getMessage().contains("'root'") && e.getMessage().contains("JSON"), e.getMessage());
  }
}
