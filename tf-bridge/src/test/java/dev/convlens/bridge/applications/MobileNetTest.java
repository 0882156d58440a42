package dev.convlens.bridge.applications;

import dev.convlens.bridge.fixtures.Json;
import dev.convlens.bridge.fixtures.SharedData;
import static dev.convlens.bridge.applications.Vgg16Test.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MobileNetTest {
  @Test
  void layerNamesAndChannelsAtAlphaQuarter() {
    ObjectNode config = Json.tree(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).config());
    assertEquals("mobilenet_0.25_128", config.get("config").get("name").asText());
    Map<String, ConfigShapes.Layer> layers = ConfigShapes.of(config);
    // golden/README.md §4.5: 88 layers; the golden per-layer output shapes of case A.
    assertEquals(88, layers.size());
    assertEquals(expectedNames(), List.copyOf(layers.keySet()));
    assertArrayEquals(new long[] {64, 64, 8}, layers.get("conv1_relu").outputShape());
    assertArrayEquals(new long[] {64, 64, 16}, layers.get("conv_pw_1").outputShape());
    assertArrayEquals(new long[] {32, 32, 16}, layers.get("conv_dw_2").outputShape());
    assertArrayEquals(new long[] {4, 4, 256}, layers.get(MobileNet.LAST_CONV_LAYER).outputShape());
    assertArrayEquals(new long[] {1, 1, 256}, layers.get("reshape_1").outputShape());
    assertArrayEquals(new long[] {1, 1, 1000}, layers.get("conv_preds").outputShape());
    assertArrayEquals(new long[] {1000}, layers.get("reshape_2").outputShape());
    assertEquals("[[\"reshape_2\",0,0]]", config.get("config").get("output_layers").toString());
  }

  @Test
  void layersMatchTheGoldenCaseA() throws Exception {
    JsonNode golden = new ObjectMapper().readTree(SharedData.require("golden/A_mobilenet__cat1700.json").toFile());
    List<ConfigShapes.Layer> mine = new ArrayList<>(
        ConfigShapes.of(Json.tree(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).config())).values());
    JsonNode goldenLayers = golden.get("layers");
    assertEquals(goldenLayers.size(), mine.size());
    for (int i = 0; i < mine.size(); i++) {
      JsonNode g = goldenLayers.get(i);
      assertEquals(g.get("name").asText(), mine.get(i).name());
      assertEquals(g.get("class_name").asText(), mine.get(i).className(), mine.get(i).name());
      long[] shape = new long[g.get("output_shape").size() - 1];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = g.get("output_shape").get(d + 1).asLong();
      }
      assertArrayEquals(shape, mine.get(i).outputShape(), mine.get(i).name() + " output shape");
    }
  }

  @Test
  void layerConfigsFollowKeras204() {
    Map<String, JsonNode> byName = byName(Json.tree(MobileNet.Options.defaults().config()));
    JsonNode conv1 = byName.get("conv1");
    assertEquals("[2,2]", conv1.get("strides").toString());
    assertEquals("same", conv1.get("padding").asText());
    assertEquals(false, conv1.get("use_bias").asBoolean());
    assertEquals(32, conv1.get("filters").asInt());
    for (int i = 1; i <= 13; i++) {
      int s = i == 2 || i == 4 || i == 6 || i == 12 ? 2 : 1;
      JsonNode dw = byName.get("conv_dw_" + i);
      assertEquals("[" + s + "," + s + "]", dw.get("strides").toString(), "conv_dw_" + i);
      assertEquals("[3,3]", dw.get("kernel_size").toString());
      assertEquals(1, dw.get("depth_multiplier").asInt());
      assertEquals(false, dw.get("use_bias").asBoolean());
      JsonNode pw = byName.get("conv_pw_" + i);
      assertEquals("[1,1]", pw.get("kernel_size").toString());
      assertEquals(false, pw.get("use_bias").asBoolean());
      assertEquals("relu6", byName.get("conv_pw_" + i + "_relu").get("activation").asText());
      assertEquals(0.001, byName.get("conv_dw_" + i + "_bn").get("epsilon").asDouble());
      assertEquals(0.99, byName.get("conv_dw_" + i + "_bn").get("momentum").asDouble());
    }
    assertEquals(1e-3, byName.get("dropout").get("rate").asDouble());
    assertEquals(true, byName.get("conv_preds").get("use_bias").asBoolean());
    assertEquals("softmax", byName.get("act_softmax").get("activation").asText());
    assertEquals("[1000]", byName.get("reshape_2").get("target_shape").toString());
  }

  @Test
  void filtersAreTruncatedProductsOfAlpha() {
    Map<String, JsonNode> byName = byName(Json.tree(MobileNet.Options.defaults().withAlpha(0.75).config()));
    assertEquals(24, byName.get("conv1").get("filters").asInt());
    assertEquals(48, byName.get("conv_pw_1").get("filters").asInt());
    assertEquals(384, byName.get("conv_pw_6").get("filters").asInt());
    assertEquals(768, byName.get("conv_pw_13").get("filters").asInt());
    assertEquals("[1,1,768]", byName.get("reshape_1").get("target_shape").toString());
    // Without ImageNet weights any width works: int(32 * 0.3) = 9, int(1024 * 0.3) = 307.
    Map<String, JsonNode> odd = byName(Json.tree(MobileNet.Options.defaults().withImagenetWeights(false).withAlpha(0.3).config()));
    assertEquals(9, odd.get("conv1").get("filters").asInt());
    assertEquals(307, odd.get("conv_pw_13").get("filters").asInt());
  }

  @Test
  void parameterCountOfFullMobileNetIsKerasPublishedOne() {
    // keras.io applications table: MobileNet, 4,253,864 parameters, depth 88.
    assertEquals(4_253_864L, ConfigShapes.parameters(Json.tree(MobileNet.Options.defaults().config())));
    assertEquals(88, Json.tree(MobileNet.Options.defaults().config()).get("config").get("layers").size());
  }

  @Test
  void withoutTopAndPooling() {
    MobileNet.Options base = MobileNet.Options.defaults().withAlpha(0.5).withInputSize(160).withIncludeTop(false);
    List<String> names = new ArrayList<>(ConfigShapes.of(Json.tree(base.config())).keySet());
    assertEquals(82, names.size());
    assertEquals(MobileNet.LAST_CONV_LAYER, names.get(names.size() - 1));
    ConfigShapes.Layer avg = lastLayer(Json.tree(base.withPooling(Pooling.AVG).config()));
    assertEquals("global_average_pooling2d_1", avg.name());
    assertArrayEquals(new long[] {512}, avg.outputShape());
    ConfigShapes.Layer max = lastLayer(Json.tree(base.withPooling(Pooling.MAX).config()));
    assertEquals("global_max_pooling2d_1", max.name());
    assertEquals("GlobalMaxPooling2D", max.className());
  }

  @Test
  void otherSizesAndClassesWithoutImagenetWeights() {
    ObjectNode config = Json.tree(MobileNet.Options.defaults().withImagenetWeights(false).withInputSize(96, 64).withClasses(2)
        .withDropout(0.5).config());
    Map<String, ConfigShapes.Layer> layers = ConfigShapes.of(config);
    assertArrayEquals(new long[] {3, 2, 1024}, layers.get("conv_pw_13_relu").outputShape());
    assertArrayEquals(new long[] {2}, layers.get("reshape_2").outputShape());
    assertEquals(0.5, byName(config).get("dropout").get("rate").asDouble());
    assertEquals("mobilenet_1.00_96", config.get("config").get("name").asText());
  }

  @Test
  void weightFilesAreNamedLikeKeras() {
    assertEquals("mobilenet_2_5_128_tf.h5",
        MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).weightFile().orElseThrow().fileName());
    assertEquals("mobilenet_5_0_160_tf_no_top.h5",
        MobileNet.Options.defaults().withAlpha(0.5).withInputSize(160).withIncludeTop(false).weightFile().orElseThrow().fileName());
    assertEquals("mobilenet_7_5_192_tf.h5",
        MobileNet.Options.defaults().withAlpha(0.75).withInputSize(192).weightFile().orElseThrow().fileName());
    assertEquals("mobilenet_1_0_224_tf.h5", MobileNet.Options.defaults().weightFile().orElseThrow().fileName());
    assertEquals(Optional.empty(), MobileNet.Options.defaults().withImagenetWeights(false).weightFile());
  }

  @Test
  void invalidOptionsNameTheArgumentAndTheRange() {
    assertInvalid(() -> MobileNet.Options.defaults().withAlpha(0.3).config(), "alpha", "0.3", "0.25, 0.5, 0.75 and 1.0");
    assertInvalid(() -> MobileNet.Options.defaults().withInputSize(100).config(), "inputSize", "100x100", "128, 160");
    assertInvalid(() -> MobileNet.Options.defaults().withIncludeTop(false).withInputSize(128, 160).weightFile(),
        "inputSize", "128x160", "square");
    assertInvalid(() -> MobileNet.Options.defaults().withClasses(2).config(), "classes", "1000");
    assertInvalid(() -> MobileNet.Options.defaults().withPooling(Pooling.MAX).config(), "pooling", "without the top");
    assertInvalid(() -> MobileNet.Options.defaults().withDropout(1.0), "dropout", "[0, 1)");
    assertInvalid(() -> MobileNet.Options.defaults().withDropout(Double.NaN), "dropout");
    assertInvalid(() -> MobileNet.Options.defaults().withAlpha(0.01), "alpha", "1/32");
    assertInvalid(() -> MobileNet.Options.defaults().withAlpha(Double.POSITIVE_INFINITY), "alpha");
    assertInvalid(() -> MobileNet.Options.defaults().withInputSize(16), "inputSize", "at least 32");
    assertInvalid(() -> MobileNet.Options.defaults().withClasses(-1), "classes", "at least 1");
  }

  static List<String> expectedNames() {
    List<String> names = new ArrayList<>(List.of("input_1", "conv1", "conv1_bn", "conv1_relu"));
    for (int i = 1; i <= 13; i++) {
      for (String p : new String[] {"conv_dw_", "conv_pw_"}) {
        names.add(p + i);
        names.add(p + i + "_bn");
        names.add(p + i + "_relu");
      }
    }
    names.addAll(List.of("global_average_pooling2d_1", "reshape_1", "dropout", "conv_preds", "act_softmax",
        "reshape_2"));
    return names;
  }

  private static Map<String, JsonNode> byName(ObjectNode config) {
    Map<String, JsonNode> m = new HashMap<>();
    for (JsonNode l : config.get("config").get("layers")) {
      m.put(l.get("name").asText(), l.get("config"));
    }
    assertTrue(m.size() == config.get("config").get("layers").size(), "unique layer names");
    return m;
  }

  private static ConfigShapes.Layer lastLayer(ObjectNode config) {
    List<ConfigShapes.Layer> all = new ArrayList<>(ConfigShapes.of(config).values());
    return all.get(all.size() - 1);
  }
}
