package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.fixtures.GoldenModels;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden values of ../shared/data/golden (an independent float64 implementation of Keras
 * semantics): predictions, logits and per-layer statistics for models A-E, from their exact input
 * tensors, at the tolerances its README gives (§8).
 */
class GoldenCasesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> everyGoldenCaseMatches() throws IOException {
    Path golden = SharedData.require("golden");
    List<Path> cases;
    try (Stream<Path> files = Files.list(golden)) {
      cases = files.filter(p -> p.getFileName().toString().matches("[A-E]_.*__[a-z0-9]+\\.json")).sorted().toList();
    }
    assertTrue(cases.size() >= 21, "expected the 21 model cases, found " + cases.size());
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(golden, c)));
  }

  @Test
  void dl4jBatchNormModelMatchesRealKeras() {
    Path dir = SharedData.require("models/keras-h5/dl4j/fullconfigs_cnn");
    try (KerasModel m = KerasModel.load(dir.resolve("cnn_batch_norm.h5"))) {
      FloatTensor out = m.predict(Npy.read(dir.resolve("input.npy")));
      FloatTensor expected = Npy.read(dir.resolve("predictions.npy"));
      assertEquals(expected.size(), out.size());
      for (int i = 0; i < out.size(); i++) {
        assertEquals(expected.data()[i], out.data()[i], 1e-5, "prediction " + i);
      }
    }
  }

  private static void check(Path golden, Path caseFile) throws IOException {
    JsonNode c = JSON.readTree(caseFile.toFile());
    String name = caseFile.getFileName().toString().replace(".json", "");
    FloatTensor input = Npy.read(golden.resolve(name + "_input.npy"));
    try (KerasModel model = model(golden, name.charAt(0))) {
      List<String> layers = new ArrayList<>();
      c.get("layers").forEach(l -> layers.add(l.get("name").asText()));
      String logitsLayer = logitsLayer(name.charAt(0), c);
      Map<String, FloatTensor> acts = model.activations(input, layers);
      FloatTensor probabilities = model.predict(input);
      assertClose(c.path("output").path("probabilities"), probabilities, 1e-5, name + " probabilities");
      FloatTensor logits = logitsLayer.endsWith(":pre")
          ? model.graph().newRun().feedInput(input)
              .fetch(model.graph().layer(logitsLayer.replace(":pre", "")).preActivation()).run().get(0)
          : model.activations(input, List.of(logitsLayer)).get(logitsLayer);
      JsonNode expectedLogits = c.path("output").path("logits");
      double[] flat = flatten(expectedLogits);
      for (int i = 0; i < flat.length; i++) {
        assertEquals(flat[i], logits.data()[i], 1e-4 * Math.max(1, Math.abs(flat[i])), name + " logit " + i);
      }
      for (JsonNode l : c.get("layers")) {
        checkLayer(name, l, acts.get(l.get("name").asText()));
      }
    }
  }

  private static String logitsLayer(char id, JsonNode c) {
    String t = c.path("output").path("logits_tensor").asText();
    return id == 'A' ? "conv_preds" : t;
  }

  static void checkLayer(String caseName, JsonNode expected, FloatTensor actual) {
    String where = caseName + " layer " + expected.get("name").asText();
    long[] shape = new long[expected.get("output_shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = expected.get("output_shape").get(i).asLong();
    }
    assertEquals(java.util.Arrays.toString(shape), java.util.Arrays.toString(actual.shape()), where + " shape");
    double scale = Math.max(Math.abs(expected.get("max").asDouble()), Math.abs(expected.get("min").asDouble()));
    double tol = 1e-4 * Math.max(scale, 1e-30);
    LayerStats s = LayerStats.of(actual);
    assertEquals(expected.get("mean").asDouble(), s.mean(), tol, where + " mean");
    assertEquals(expected.get("std").asDouble(), s.std(), tol, where + " std");
    assertEquals(expected.get("max").asDouble(), s.max(), tol, where + " max");
    assertEquals(expected.get("min").asDouble(), s.min(), tol, where + " min");
    assertEquals(expected.get("blank_channels").asInt(), s.blankChannels(), where + " blank channels");
    for (JsonNode sample : expected.get("samples")) {
      int at = sample.get("flat_index").asInt();
      assertEquals(sample.get("value").asDouble(), actual.data()[at], tol, where + " value at " + sample.get("index"));
    }
  }

  private static void assertClose(JsonNode expected, FloatTensor actual, double atol, String what) {
    double[] e = flatten(expected);
    assertEquals(e.length, actual.size(), what + " size");
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], actual.data()[i], atol, what + "[" + i + "]");
    }
  }

  private static double[] flatten(JsonNode n) {
    List<Double> out = new ArrayList<>();
    collect(n, out);
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void collect(JsonNode n, List<Double> out) {
    if (n.isArray()) {
      n.forEach(c -> collect(c, out));
    } else {
      out.add(n.asDouble());
    }
  }

  private static KerasModel model(Path golden, char id) {
    return GoldenModels.model(golden, id);
  }
}
