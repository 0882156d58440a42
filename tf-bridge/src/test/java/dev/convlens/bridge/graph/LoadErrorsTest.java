package dev.convlens.bridge.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.UnsupportedLayerException;
import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models the loader cannot rebuild fail at load time with a typed error naming the layer and the reason. */
class LoadErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void lambdaLayerIsUnsupportedFromConfigAndFromFile() throws Exception {
    KerasModelFixture f = FixtureBuilder.functional("m").input("in", 4, 4, 3)
        .conv2d("conv", 2, 3, "same", "relu")
        .customLayer("Lambda", "my_lambda", (ObjectNode) JSON.readTree(
            "{\"function\": [\"4wEAAAAAAAAA\", null, null], \"function_type\": \"lambda\", \"module\": \"__main__\","
                + " \"output_shape\": null, \"output_shape_type\": \"raw\", \"arguments\": {}}"))
        .build();
    assertUnsupported("Lambda", "my_lambda", () -> fromFixture(f));
    Path file = KerasFixtureFiles.writeKeras2FullH5(f, dir.resolve("lambda.h5"));
    UnsupportedLayerException e = assertUnsupported("Lambda", "my_lambda", () -> KerasModel.load(file).close());
    assertTrue(e.getMessage().contains("lambda.h5"), "names the file: " + e.getMessage());
  }

  @Test
  void lstmInsideANestedModelIsUnsupportedWithItsPath() throws Exception {
    FixtureBuilder seq = FixtureBuilder.sequential("seq")
        .customLayer("LSTM", "lstm", (ObjectNode) JSON.readTree("{\"units\": 4, \"return_sequences\": false}"));
    KerasModelFixture f = FixtureBuilder.functional("m").dialect(ConfigDialect.KERAS_3).input("in", 5, 3)
        .nested(seq).build();
    UnsupportedLayerException e = assertUnsupported("LSTM", "seq/lstm", () -> fromFixture(f));
    // One short line pointing at the list, not the list itself; the config for whoever wants to see it.
    assertTrue(e.getMessage().contains("convlens layers") && e.getMessage().length() < 300, e.getMessage());
    assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
    assertTrue(e.layerConfig().contains("\"units\":4"), e.layerConfig());
  }

  @Test
  void channelsFirstIsRejectedNamingDataFormat() {
    for (String cls : new String[] {"Conv2D", "MaxPooling2D"}) {
      FixtureBuilder b = FixtureBuilder.functional("m").input("in", 6, 6, 3);
      if (cls.equals("Conv2D")) {
        b.conv2d("cf", 2, 3, "valid", "linear");
      } else {
        b.maxPool("cf", 2);
      }
      KerasModelFixture f = edited(b.build(), "cf", c -> c.put("data_format", "channels_first"));
      UnsupportedLayerException e = assertUnsupported(cls, "cf", () -> fromFixture(f));
      assertTrue(e.getMessage().contains("data_format") && e.getMessage().contains("channels_first"),
          e.getMessage());
    }
  }

  @Test
  void unknownActivationIsRejectedNamingIt() {
    KerasModelFixture f = FixtureBuilder.functional("m").input("in", 4)
        .dense("d", 2, "my_custom_activation").build();
    UnsupportedLayerException e = assertUnsupported("Dense", "d", () -> fromFixture(f));
    assertTrue(e.getMessage().contains("my_custom_activation"), e.getMessage());
  }

  @Test
  void weightShapeMismatchNamesTheLayerAndBothShapes() {
    // The config's conv sees 3 channels; the weights were made for 2.
    KerasModelFixture threeChannels = FixtureBuilder.functional("m").input("in", 6, 6, 3)
        .conv2d("conv", 4, 3, "valid", "relu").build();
    KerasModelFixture twoChannels = FixtureBuilder.functional("m").input("in", 6, 6, 2)
        .conv2d("conv", 4, 3, "valid", "relu").build();
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasModel.fromConfig(
        threeChannels.modelConfig().toString(), twoChannels.weightSource(), LoadOptions.defaults()).close());
    assertMismatch(e);

    KerasModelFixture mixed = new KerasModelFixture(threeChannels.modelConfig(), twoChannels.allWeights(),
        ConfigDialect.KERAS_2, "2.12.0");
    Path file = KerasFixtureFiles.writeKeras2FullH5(mixed, dir.resolve("mismatch.h5"));
    assertMismatch(assertThrows(ModelFormatException.class, () -> KerasModel.load(file).close()));
  }

  @Test
  void missingBiasIsReportedAsAWrongWeightCount() {
    KerasModelFixture noBias = FixtureBuilder.functional("m").input("in", 4).dense("d", 3, "linear", false).build();
    KerasModelFixture withBias = FixtureBuilder.functional("m").input("in", 4).dense("d", 3, "linear", true).build();
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasModel.fromConfig(
        withBias.modelConfig().toString(), noBias.weightSource(), LoadOptions.defaults()).close());
    assertTrue(e.getMessage().contains("'d'") && e.getMessage().contains("bias"), e.getMessage());
  }

  private static void assertMismatch(ModelFormatException e) {
    String m = e.getMessage();
    assertTrue(m.contains("'conv'"), "names the layer: " + m);
    assertTrue(m.contains("[3, 3, 2, 4]") && m.contains("[3, 3, 3, 4]"), "names both shapes: " + m);
  }

  private static UnsupportedLayerException assertUnsupported(String cls, String layer,
      org.junit.jupiter.api.function.Executable load) {
    UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class, load);
    assertEquals(cls, e.layerClass());
    assertEquals(layer, e.layerName());
    assertTrue(e.getMessage().contains("'" + cls + "'") && e.getMessage().contains("'" + layer + "'"), e.getMessage());
    return e;
  }

  private static void fromFixture(KerasModelFixture f) {
    KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults()).close();
  }

  /** The fixture with one layer's config changed (weights unchanged). */
  private static KerasModelFixture edited(KerasModelFixture f, String layer, Consumer<ObjectNode> change) {
    ObjectNode config = f.modelConfig();
    for (var e : config.path("config").path("layers")) {
      if (e.path("config").path("name").asText().equals(layer)) {
        change.accept((ObjectNode) e.get("config"));
      }
    }
    return new KerasModelFixture(config, f.allWeights(), f.dialect(), f.kerasVersion());
  }
}
