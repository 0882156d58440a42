package dev.convlens.bridge.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.UnsupportedLayerException;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.keras.WeightArray;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.op.Ops;

/**
 * Custom layers through the open registry: a Keras 2 file (written with jhdf) whose {@code Lambda}
 * computes {@code x / 127.5 - 1} in Python loads once a Java rebuild is supplied, and its output
 * equals the same arithmetic done by hand in Java.
 */
class CustomLayerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A Lambda's config as Keras 2 saves it: marshalled Python bytecode, never run by convlens. */
  private static final String LAMBDA_CONFIG = "{\"function\": [\"4wEAAAAAAAAA\", null, null], \"function_type\":"
      + " \"lambda\", \"module\": \"__main__\", \"output_shape\": null, \"output_shape_type\": \"raw\", \"arguments\": {}}";

  /** The Java rebuild of {@code Lambda(lambda x: x / 127.5 - 1)}. */
  private static final LayerBuilder SCALE_TO_UNIT = (c, in, w) -> {
    Ops tf = c.tf();
    return LayerOutput.of(tf.math.sub(tf.math.div(in.get(0), tf.constant(127.5f)), tf.constant(1f)));
  };

  @TempDir
  Path dir;

  private KerasModelFixture fixture() throws Exception {
    return FixtureBuilder.functional("m").input("in", 2, 2, 3)
        .customLayer("Lambda", "my_lambda", (ObjectNode) JSON.readTree(LAMBDA_CONFIG))
        .flatten("flat")
        .dense("out", 2, "linear")
        .build();
  }

  @Test
  void lambdaWithoutARebuildFailsNamingTheClassAndTheWayOut() throws Exception {
    Path file = KerasFixtureFiles.writeKeras2FullH5(fixture(), dir.resolve("lambda.h5"));
    UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class, () -> KerasModel.load(file).close());
    assertEquals("Lambda", e.layerClass());
    assertTrue(e.getMessage().contains("withLayer(\"my_lambda\""), e.getMessage());
    assertTrue(e.getMessage().contains("never run"), e.getMessage());
  }

  @Test
  void lambdaRebuiltInJavaMatchesTheArithmeticByHand() throws Exception {
    KerasModelFixture f = fixture();
    Path file = KerasFixtureFiles.writeKeras2FullH5(f, dir.resolve("lambda.h5"));
    float[] x = new float[12];
    for (int i = 0; i < x.length; i++) {
      x[i] = i * 20f;
    }
    List<WeightArray> dense = f.weights(List.of("out"));
    float[] kernel = dense.get(0).value().data();  // [12, 2]
    float[] bias = dense.get(1).value().data();
    float[] expected = new float[2];
    for (int j = 0; j < 2; j++) {
      double s = bias[j];
      for (int i = 0; i < 12; i++) {
        s += (x[i] / 127.5 - 1) * kernel[i * 2 + j];
      }
      expected[j] = (float) s;
    }
    try (KerasModel m = KerasModel.load(file, LoadOptions.defaults().withLayer("my_lambda", SCALE_TO_UNIT))) {
      float[] got = m.predict(new FloatTensor(new long[] {2, 2, 3}, x)).data();
      for (int j = 0; j < 2; j++) {
        assertEquals(expected[j], got[j], 1e-5, "output " + j);
      }
      assertTrue(m.layer("my_lambda").is(LayerTrait.CUSTOM));
      float[] lambda = m.activations(new FloatTensor(new long[] {2, 2, 3}, x), List.of("my_lambda")).get("my_lambda").data();
      assertEquals(20f / 127.5f - 1f, lambda[1], 1e-6);
    }
  }

  @Test
  void aCustomClassRegisteredOnceLoadsEverywhere() throws Exception {
    KerasModelFixture f = FixtureBuilder.functional("m").input("in", 2, 2, 3)
        .customLayer("ScaleToUnit", "scale", JSON.createObjectNode())
        .flatten("flat")
        .build();
    Path file = KerasFixtureFiles.writeKeras2FullH5(f, dir.resolve("custom.h5"));
    assertThrows(UnsupportedLayerException.class, () -> KerasModel.load(file).close());
    LayerRegistry.register("ScaleToUnit", SCALE_TO_UNIT, LayerTrait.PASS_THROUGH);
    try (KerasModel m = KerasModel.load(file)) {
      assertEquals(-1f, m.predict(new FloatTensor(new long[] {2, 2, 3}, new float[12])).data()[0], 0f);
      assertTrue(m.layer("scale").is(LayerTrait.PASS_THROUGH));
      assertTrue(LayerTrait.of("ScaleToUnit").contains(LayerTrait.CUSTOM));
    } finally {
      LayerRegistry.unregister("ScaleToUnit");
    }
    assertThrows(InvalidInputException.class, () -> LayerRegistry.register("Conv2D", SCALE_TO_UNIT));
  }

  @Test
  void aBugInABuilderIsAnIllegalStateNamingTheLayer() throws Exception {
    Path file = KerasFixtureFiles.writeKeras2FullH5(fixture(), dir.resolve("lambda.h5"));
    LayerBuilder broken = (c, in, w) -> {
      throw new NullPointerException("oops");
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> KerasModel.load(file, LoadOptions.defaults().withLayer("Lambda", broken)).close());
    assertTrue(e.getMessage().contains("my_lambda"), e.getMessage());
  }
}
