package dev.convlens.visualize.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.TestArrays;
import dev.convlens.bridge.spi.ModelVariable;
import dev.convlens.visualize.cam.AttributionOptions;
import dev.convlens.visualize.cam.InputAttribution;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The cascade on a small conv net (conv1, conv2, logits): only the top layers of a copy change,
 * to values from their Keras initializers; a map that ignores the model keeps correlation 1, the
 * saliency map of the randomized model does not; the caller's model is untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RandomizationCheckTest {
  private KerasModel model;
  private FloatTensor image;

  @BeforeAll
  void build() {
    var fixture = FixtureBuilder.functional("rand").seed(7)
        .input("image", 6, 6, 2)
        .conv2d("conv1", 3, 3, "same", "tanh")
        .conv2d("conv2", 4, 3, "valid", "tanh")
        .flatten("flat")
        .dense("logits", 3, "linear")
        .activation("probs", "softmax")
        .build();
    model = KerasModel.fromConfig(fixture.modelConfig().toString(), fixture.weightSource(), LoadOptions.defaults());
    image = TestArrays.gaussian(3, 6, 6, 2);
  }

  @AfterAll
  void close() {
    model.close();
  }

  private static Map<String, float[]> weightsByVariable(KerasModel m) {
    Map<String, float[]> out = new LinkedHashMap<>();
    m.graph().readVariables(m.graph().variables()).forEach((v, t) -> out.put(v.name(), t.data()));
    return out;
  }

  private static String layerOf(KerasModel m, String variable) {
    return m.graph().variables().stream().filter(v -> v.name().equals(variable)).findFirst().orElseThrow().layer();
  }

  @Test
  void theTopLayersAreTheLastWithWeightsOutputFirst() {
    assertEquals(List.of("logits", "conv2", "conv1"), RandomizationCheck.topLayers(model.graph(), 3, "rand"));
    assertTrue(assertThrows(InvalidInputException.class, () -> RandomizationCheck.topLayers(model.graph(), 4, "rand"))
        .getMessage().contains("has 3 layers with weights"));
  }

  @Test
  void theCascadeReinitialisesOneMoreLayerAtEachStepFromItsInitializer() {
    Map<String, float[]> trained = weightsByVariable(model);
    List<List<String>> changedPerCall = new ArrayList<>();
    List<Map<String, float[]>> seen = new ArrayList<>();
    MapFunction recorder = (m, x, k) -> {
      Map<String, float[]> w = weightsByVariable(m);
      List<String> changed = new ArrayList<>();
      w.forEach((name, values) -> {
        if (!java.util.Arrays.equals(values, trained.get(name))) {
          String layer = layerOf(m, name);
          if (!changed.contains(layer)) {
            changed.add(layer);
          }
        }
      });
      changedPerCall.add(changed);
      seen.add(w);
      return x.slice(0);  // any [6, 2] map
    };
    RandomizationResult r = RandomizationCheck.run(model, image, 0, recorder, RandomizationOptions.defaults());
    assertEquals(List.of("logits", "conv2", "conv1"), r.layers());
    assertEquals(List.of(List.of(), List.of("logits"), List.of("conv2", "logits"), List.of("conv1", "conv2", "logits")),
        changedPerCall);
    // Dense kernel: Glorot uniform, limit sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (64 + 3)); bias: zeros.
    double limit = Math.sqrt(6.0 / 67);
    Map<String, float[]> afterLogits = seen.get(1);
    for (ModelVariable v : model.graph().variables()) {
      if (!v.layer().equals("logits")) {
        continue;
      }
      float[] values = afterLogits.get(v.name());
      if (v.spec().name().equals("bias")) {
        assertArrayEquals(new float[3], values, 0f);
      } else {
        assertEquals(192, values.length);
        for (float f : values) {
          assertTrue(Math.abs(f) <= limit, v.name() + " " + f);
        }
      }
    }
    // The caller's model kept its weights.
    Map<String, float[]> after = weightsByVariable(model);
    trained.forEach((name, values) -> assertArrayEquals(values, after.get(name), 0f, name));
  }

  @Test
  void aMapThatIgnoresTheModelKeepsCorrelationOne() {
    MapFunction channelZero = (m, x, k) -> {
      float[] out = new float[36];
      for (int p = 0; p < 36; p++) {
        out[p] = x.data()[2 * p];
      }
      return FloatTensor.of(out, 6, 6);
    };
    RandomizationResult r = RandomizationCheck.run(model, image, 1, channelZero, RandomizationOptions.defaults());
    assertArrayEquals(new double[] {1, 1, 1}, r.correlations(), 1e-12);
  }

  @Test
  void theSaliencyOfARandomizedModelChanges() {
    FloatTensor before = model.predict(image);
    MapFunction saliency = (m, x, k) -> InputAttribution.of(m)
        .saliency(x, AttributionOptions.defaults().withClassIndex(k)).map();
    RandomizationResult r = RandomizationCheck.run(model, image, 0, saliency,
        RandomizationOptions.defaults().withLayers(1));
    double rho = r.correlations()[0];
    System.out.printf("saliency on the fixture, logits re-initialised: Spearman %.4f%n", rho);
    assertTrue(rho < 0.8, "rho " + rho);
    // The same seed gives the same randomized map.
    RandomizationResult again = RandomizationCheck.run(model, image, 0, saliency,
        RandomizationOptions.defaults().withLayers(1));
    assertEquals(r.randomizedMaps(), again.randomizedMaps());
    assertArrayEquals(before.data(), model.predict(image).data(), 0f, "the caller's model is untouched");
  }

  @Test
  void spearmanUsesAverageRanksAndIsNaNForAConstantMap() {
    assertEquals(1, RandomizationCheck.spearman(new float[] {1, 2, 3, 4}, new float[] {1, 8, 27, 64}), 1e-12);
    assertEquals(-1, RandomizationCheck.spearman(new float[] {1, 2, 3, 4}, new float[] {4, 3, 2, 1}), 1e-12);
    // Ranks 1 2 3 4 against 1.5 1.5 3.5 3.5: 4 / sqrt(5 * 4).
    assertEquals(4 / Math.sqrt(20), RandomizationCheck.spearman(new float[] {1, 2, 3, 4}, new float[] {1, 1, 2, 2}),
        1e-12);
    assertTrue(Double.isNaN(RandomizationCheck.spearman(new float[] {1, 2, 3}, new float[] {5, 5, 5})));
  }

  @Test
  void cancellationStopsBeforeTheFirstMap() {
    Cancellation c = Cancellation.token();
    c.cancel();
    int[] calls = {0};
    assertThrows(CancelledException.class, () -> RandomizationCheck.run(model, image, 0, (m, x, k) -> {
      calls[0]++;
      return x.slice(0);
    }, RandomizationOptions.defaults().withCancellation(c)));
    assertEquals(0, calls[0]);
  }
}
