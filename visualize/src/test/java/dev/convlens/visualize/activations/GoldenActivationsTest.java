package dev.convlens.visualize.activations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The per-layer statistics of this package equal the golden ones (../shared/data/golden, an
 * independent float64 Keras implementation) for models B and C on cat.1700, fed their exact input
 * tensors, at the README's §8 tolerances: mean, std, max and min within 1e-4 of the layer's absolute
 * maximum, blank channels exact.
 */
class GoldenActivationsTest {
  @ParameterizedTest
  @CsvSource({
      "B_convnet_aug__cat1700, models/keras-v3/convnet_from_scratch_with_augmentation.keras",
      "C_cnd_small__cat1700, models/keras-h5/bwdGitHub_cats_and_dogs_small_1.h5"})
  void layerStatisticsMatchTheGolden(String caseName, String modelFile) throws IOException {
    Path golden = SharedData.require("golden/" + caseName + ".json");
    Path modelPath = SharedData.require(modelFile);
    JsonNode c = new ObjectMapper().readTree(golden.toFile());
    FloatTensor input = Npy.read(golden.resolveSibling(caseName + "_input.npy"));
    List<String> names = new ArrayList<>();
    c.get("layers").forEach(l -> names.add(l.get("name").asText()));
    try (KerasModel model = KerasModel.load(modelPath)) {
      LayerActivations acts = Activations.fetch(model, input, names);
      int checked = 0;
      for (JsonNode expected : c.get("layers")) {
        String name = expected.get("name").asText();
        LayerStats s = acts.get(name).stats();
        String where = caseName + " " + name;
        JsonNode shape = expected.get("output_shape");
        if (shape.size() == 4) {
          assertEquals(shape.get(1).asInt(), s.height(), where + " height");
          assertEquals(shape.get(2).asInt(), s.width(), where + " width");
        }
        assertEquals(expected.get("channels").asInt(), s.channels(), where + " channels");
        double scale = Math.max(Math.abs(expected.get("max").asDouble()), Math.abs(expected.get("min").asDouble()));
        double tol = 1e-4 * Math.max(scale, 1e-30);
        assertEquals(expected.get("mean").asDouble(), s.mean(), tol, where + " mean");
        assertEquals(expected.get("std").asDouble(), s.std(), tol, where + " std");
        assertEquals(expected.get("max").asDouble(), s.max(), tol, where + " max");
        assertEquals(expected.get("min").asDouble(), s.min(), tol, where + " min");
        // golden: channel max == 0.0; ours also needs min == 0.0, the same for these non-negative layers
        if (expected.get("min").asDouble() >= 0) {
          assertEquals(expected.get("blank_channels").asInt(), s.blankChannels(), where + " blank channels");
          checked++;
        }
      }
      assertTrue(checked >= 9, "blank channels compared on " + checked + " layers");
    }
  }
}
