package dev.convlens.bridge.applications;

import dev.convlens.bridge.fixtures.Json;
import dev.convlens.bridge.fixtures.SharedData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.ConvlensException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class Vgg16Test {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Keys tf.keras added after 2.2.4 (Conv2D groups in 2.3, InputLayer ragged in 2.1); nothing else may differ. */
  private static final Set<String> KEYS_NEWER_THAN_REFERENCE = Set.of("groups", "ragged");

  @Test
  void defaultConfigMatchesTfKerasReference() throws Exception {
    JsonNode reference = JSON.readTree(Files.readString(
        SharedData.require("models/keras-applications/vgg16_config_tfkeras_2.2.4.json")));
    ObjectNode mine = Json.tree(Vgg16.Options.defaults().config());

    assertEquals("Functional", mine.get("class_name").asText(), "Keras 2.4+ class name (the reference says Model)");
    JsonNode rc = reference.get("config");
    JsonNode mc = mine.get("config");
    assertEquals(rc.get("name"), mc.get("name"));
    assertEquals(rc.get("input_layers"), mc.get("input_layers"));
    assertEquals(rc.get("output_layers"), mc.get("output_layers"));
    assertEquals(rc.get("layers").size(), mc.get("layers").size(), "layer count");
    for (int i = 0; i < rc.get("layers").size(); i++) {
      JsonNode r = rc.get("layers").get(i);
      JsonNode m = mc.get("layers").get(i);
      String where = "layer " + i + " (" + r.get("name").asText() + ")";
      assertEquals(r.get("class_name"), m.get("class_name"), where);
      assertEquals(r.get("name"), m.get("name"), where);
      assertEquals(r.get("inbound_nodes"), m.get("inbound_nodes"), where);
      assertEquals(keys(r), keys(m), where + ": layer entry keys");
      List<String> referenceKeys = keys(r.get("config"));
      List<String> myKeys = keys(m.get("config"));
      for (String key : referenceKeys) {
        assertEquals(r.get("config").get(key), m.get("config").get(key), where + ": config." + key);
      }
      List<String> extra = new ArrayList<>(myKeys);
      extra.removeAll(referenceKeys);
      assertTrue(KEYS_NEWER_THAN_REFERENCE.containsAll(extra), where + ": unexpected extra keys " + extra);
      List<String> sharedOrder = new ArrayList<>(myKeys);
      sharedOrder.removeAll(extra);
      assertEquals(referenceKeys, sharedOrder, where + ": key order");
    }
  }

  @Test
  void parameterCountsAreThoseOfVgg16() {
    assertEquals(138_357_544L, ConfigShapes.parameters(Json.tree(Vgg16.Options.defaults().config())));
    assertEquals(14_714_688L, ConfigShapes.parameters(Json.tree(Vgg16.Options.defaults().withIncludeTop(false).config())));
    // The conv base has the same weights at any input size.
    assertEquals(14_714_688L, ConfigShapes.parameters(
        Json.tree(Vgg16.Options.defaults().withIncludeTop(false).withInputSize(150, 150).withPooling(Pooling.AVG).config())));
  }

  @Test
  void layerSequenceWithTop() {
    Map<String, ConfigShapes.Layer> layers = ConfigShapes.of(Json.tree(Vgg16.Options.defaults().config()));
    List<String> expected = new ArrayList<>(List.of("input_1"));
    int[] convs = {2, 2, 3, 3, 3};
    for (int b = 1; b <= 5; b++) {
      for (int i = 1; i <= convs[b - 1]; i++) {
        expected.add("block" + b + "_conv" + i);
      }
      expected.add("block" + b + "_pool");
    }
    expected.addAll(List.of("flatten", "fc1", "fc2", "predictions"));
    assertEquals(expected, List.copyOf(layers.keySet()));
    assertArrayEquals(new long[] {7, 7, 512}, layers.get("block5_pool").outputShape());
    assertArrayEquals(new long[] {25088, 4096}, layers.get("fc1").weightShapes().get(0));
    assertArrayEquals(new long[] {1000}, layers.get("predictions").outputShape());
    assertTrue(layers.containsKey(Vgg16.LAST_CONV_LAYER));
  }

  @Test
  void withoutTopAtTheBooksSize() {
    ObjectNode config = Json.tree(Vgg16.Options.defaults().withIncludeTop(false).withInputSize(150, 150).config());
    Map<String, ConfigShapes.Layer> layers = ConfigShapes.of(config);
    assertEquals("block5_pool", last(layers).name());
    assertArrayEquals(new long[] {4, 4, 512}, last(layers).outputShape());
    assertEquals(JSON.createArrayNode().addNull().add(150).add(150).add(3),
        config.get("config").get("layers").get(0).get("config").get("batch_input_shape"));
    assertEquals("[[\"block5_pool\",0,0]]", config.get("config").get("output_layers").toString());
  }

  @Test
  void poolingAddsTheKerasNamedGlobalPoolingLayer() {
    Vgg16.Options base = Vgg16.Options.defaults().withIncludeTop(false).withInputSize(150, 150);
    ObjectNode avg = Json.tree(base.withPooling(Pooling.AVG).config());
    ConfigShapes.Layer a = last(ConfigShapes.of(avg));
    assertEquals("global_average_pooling2d", a.name());
    assertEquals("GlobalAveragePooling2D", a.className());
    assertArrayEquals(new long[] {512}, a.outputShape());
    assertEquals("[[\"global_average_pooling2d\",0,0]]", avg.get("config").get("output_layers").toString());

    ConfigShapes.Layer m = last(ConfigShapes.of(Json.tree(base.withPooling(Pooling.MAX).config())));
    assertEquals("global_max_pooling2d", m.name());
    assertEquals("GlobalMaxPooling2D", m.className());
  }

  @Test
  void customTopWithoutImagenetWeights() {
    ObjectNode config = Json.tree(Vgg16.Options.defaults().withImagenetWeights(false).withInputSize(64, 96).withClasses(3)
        .withClassifierActivation("sigmoid").config());
    Map<String, ConfigShapes.Layer> layers = ConfigShapes.of(config);
    assertArrayEquals(new long[] {2 * 3 * 512, 4096}, layers.get("fc1").weightShapes().get(0));
    JsonNode predictions = config.get("config").get("layers").get(22).get("config");
    assertEquals("predictions", predictions.get("name").asText());
    assertEquals(3, predictions.get("units").asInt());
    assertEquals("sigmoid", predictions.get("activation").asText());
    assertEquals(Optional.empty(), Vgg16.Options.defaults().withImagenetWeights(false).weightFile());
  }

  @Test
  void weightFileFollowsIncludeTop() {
    assertEquals(Optional.of(WeightFile.VGG16), Vgg16.Options.defaults().weightFile());
    assertEquals(Optional.of(WeightFile.VGG16_NOTOP),
        Vgg16.Options.defaults().withIncludeTop(false).withInputSize(150, 150).weightFile());
  }

  @Test
  void invalidOptionsNameTheArgumentAndTheRange() {
    assertInvalid(() -> Vgg16.Options.defaults().withInputSize(150, 150).config(), "inputSize", "150x150", "224x224");
    assertInvalid(() -> Vgg16.Options.defaults().withInputSize(150, 150).weightFile(), "inputSize", "224x224");
    assertInvalid(() -> Vgg16.Options.defaults().withPooling(Pooling.AVG).config(), "pooling", "without the top");
    assertInvalid(() -> Vgg16.Options.defaults().withClasses(10).config(), "classes", "10", "1000");
    assertInvalid(() -> Vgg16.Options.defaults().withClassifierActivation("sigmoid").config(),
        "classifierActivation", "softmax");
    assertInvalid(() -> Vgg16.Options.defaults().withClasses(0), "classes", "at least 1");
    assertInvalid(() -> Vgg16.Options.defaults().withIncludeTop(false).withInputSize(31, 200), "inputSize", "31x200",
        "at least 32");
    assertInvalid(() -> Vgg16.Options.defaults().withClassifierActivation("gelu2"), "classifierActivation", "'gelu2'",
        "softmax");
    assertInvalid(() -> Vgg16.Options.defaults().withPooling(null), "pooling", "null");
  }

  @Test
  void configsAreFreshAndSerializable() throws Exception {
    Vgg16.Options options = Vgg16.Options.defaults().withIncludeTop(false);
    ObjectNode first = Json.tree(options.config());
    first.with("config").put("name", "changed");
    ObjectNode second = Json.tree(options.config());
    assertEquals("vgg16", second.get("config").get("name").asText());
    assertEquals(second, JSON.readTree(JSON.writeValueAsString(second)));
    Set<String> names = new HashSet<>();
    second.get("config").get("layers").forEach(l -> assertTrue(names.add(l.get("name").asText()), "unique names"));
    assertFalse(names.isEmpty());
  }

  static void assertInvalid(Executable call, String... fragments) {
    ConvlensException e = assertThrows(ConvlensException.class, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
    }
  }

  private static ConfigShapes.Layer last(Map<String, ConfigShapes.Layer> layers) {
    ConfigShapes.Layer last = null;
    for (ConfigShapes.Layer l : layers.values()) {
      last = l;
    }
    return last;
  }

  private static List<String> keys(JsonNode node) {
    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      keys.add(it.next());
    }
    return keys;
  }
}
