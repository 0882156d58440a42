package dev.convlens.bridge.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.spi.ModelVariable;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Random initial weights follow the initializer each weight's config names, with Keras' formulas:
 * variance scaling {@code scale / n} over the fan the mode picks; uniform on {@code +-sqrt(3 var)};
 * truncated normal cut at two sigmas with its stddev divided by 0.8796 so the variance stays
 * {@code scale / n}. A Dense of 400 -> 300 has fan_in 400, fan_out 300, fan_avg 350.
 */
class InitialWeightsTest {
  private static String dense(String kernelInitializer, String biasInitializer) {
    return "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
        + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 400]}},"
        + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 300, \"activation\": \"linear\","
        + " \"use_bias\": true, \"kernel_initializer\": " + kernelInitializer + ", \"bias_initializer\": "
        + biasInitializer + "}}]}}";
  }

  private static Map<String, float[]> values(String config) {
    try (KerasModel m = KerasModel.fromConfig(config, LoadOptions.defaults().withRandomWeights(3))) {
      Map<String, float[]> out = new HashMap<>();
      for (Map.Entry<ModelVariable, FloatTensor> e : m.graph().readVariables(m.graph().variables()).entrySet()) {
        out.put(e.getKey().spec().name(), e.getValue().data());
      }
      return out;
    }
  }

  private static double variance(float[] v) {
    double mean = 0;
    for (float x : v) {
      mean += x;
    }
    mean /= v.length;
    double s = 0;
    for (float x : v) {
      s += (x - mean) * (x - mean);
    }
    return s / v.length;
  }

  private static double maxAbs(float[] v) {
    double m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  @Test
  void glorotUniformIsUniformOnTheFanAverageLimit() {
    float[] k = values(dense("{\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}}", "\"zeros\"")).get("kernel");
    double limit = Math.sqrt(6.0 / 700);
    assertTrue(maxAbs(k) <= limit && maxAbs(k) > 0.99 * limit, "max " + maxAbs(k));
    assertEquals(limit * limit / 3, variance(k), 0.03 * limit * limit / 3);
  }

  @Test
  void heNormalIsATruncatedNormalWithVarianceTwoOverFanIn() {
    Map<String, float[]> v = values(dense("{\"class_name\": \"HeNormal\", \"config\": {\"seed\": null}}",
        "{\"class_name\": \"Constant\", \"config\": {\"value\": 0.25}}"));
    double stddev = Math.sqrt(2.0 / 400) / .87962566103423978;
    assertTrue(maxAbs(v.get("kernel")) <= 2 * stddev * 1.0001, "cut at two sigmas");
    assertEquals(2.0 / 400, variance(v.get("kernel")), 0.03 * 2.0 / 400);
    for (float b : v.get("bias")) {
      assertEquals(0.25f, b);
    }
  }

  @Test
  void varianceScalingTakesItsModeAndKeras1StringsWork() {
    float[] k = values(dense("{\"class_name\": \"VarianceScaling\", \"config\": {\"scale\": 3.0, \"mode\": \"fan_out\","
        + " \"distribution\": \"uniform\"}}", "\"ones\"")).get("kernel");
    assertEquals(3.0 / 300, variance(k), 0.03 * 3.0 / 300);
    float[] lecun = values(dense("\"lecun_uniform\"", "\"zeros\"")).get("kernel");
    assertEquals(1.0 / 400, variance(lecun), 0.03 / 400);
  }

  @Test
  void anInitializerConvlensCannotDrawFailsNamingIt() {
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> values(dense("{\"class_name\": \"Orthogonal\", \"config\": {\"gain\": 1.0}}", "\"zeros\"")));
    assertTrue(e.getMessage().contains("orthogonal") && e.getMessage().contains("'d'"), e.getMessage());
  }
}
