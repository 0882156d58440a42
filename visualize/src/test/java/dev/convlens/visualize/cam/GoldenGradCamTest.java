package dev.convlens.visualize.cam;

import dev.convlens.bridge.fixtures.GoldenModels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Both published Grad-CAM variants against the golden arrays of ../shared/data/golden (an
 * independent float64 implementation, README §6) for every golden model A-E, every image, every
 * golden target layer, at the README §8 tolerances: pooled gradients {@code 1e-4 max|pooled|},
 * raw map {@code 1e-4 max|raw|}, normalised map {@code 1e-4}, class index exact. Each model's
 * whole batch of golden inputs is explained in one run per variant.
 */
class GoldenGradCamTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> goldenHeatmapsOfEveryModel() throws IOException {
    Path golden = SharedData.require("golden");
    List<DynamicTest> tests = new ArrayList<>();
    for (char id : "ABCDE".toCharArray()) {
      tests.add(DynamicTest.dynamicTest("model " + id, () -> checkModel(golden, id)));
    }
    return tests.stream();
  }

  /**
   * The paper's Grad-CAM (logit score) on the synthetic decoder of golden/decoder-layers (README
   * section 11), whose target layer sits after Conv2DTranspose, PReLU, UpSampling2D and Resizing:
   * the first sample's raw map for class 1 within 1e-4 of its largest magnitude, its normalised map
   * within 1e-4, and the golden argmax.
   */
  @org.junit.jupiter.api.Test
  void decoderModelMapsThroughTransposedConvolutionAndResizing() throws IOException {
    Path golden = SharedData.require("golden/decoder-layers");
    JsonNode spec = JSON.readTree(golden.resolve("decoder_layers.json").toFile()).get("F_decoder_synthetic")
        .get("gradcam");
    FloatTensor input = Npy.read(golden.resolve("F_decoder_input.npy"));
    FloatTensor expected = Npy.read(golden.resolve("F_decoder_gradcam.npy"));
    int classIndex = spec.get("class_index").asInt();
    try (KerasModel model = KerasModel.load(golden.resolve("F_decoder_synthetic.h5"))) {
      List<Heatmap> maps = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.GRAD_CAM)
          .withLayer(spec.get("target_layer").asText())).explain(input.slice(0), new int[] {classIndex});
      // As the other golden Grad-CAM arrays: [raw, normalized] of the first sample.
      Heatmap first = maps.get(0);
      FloatTensor raw = expected.slice(0);
      double maxRaw = 0;
      for (float v : raw.data()) {
        maxRaw = Math.max(maxRaw, Math.abs(v));
      }
      assertEquals(java.util.Arrays.toString(raw.shape()), java.util.Arrays.toString(first.raw().shape()), "shape");
      for (int i = 0; i < raw.size(); i++) {
        assertEquals(raw.data()[i], first.raw().data()[i], 1e-4 * maxRaw, "raw[" + i + "]");
        assertEquals(expected.slice(1).data()[i], first.normalized().data()[i], 1e-4, "normalized[" + i + "]");
      }
      FloatTensor map = first.normalized();
      int argmax = 0;
      for (int i = 1; i < map.size(); i++) {
        argmax = map.data()[i] > map.data()[argmax] ? i : argmax;
      }
      int width = (int) map.shape()[1];
      assertEquals(spec.get("argmax_hw").get(0).asInt(), argmax / width, "argmax row");
      assertEquals(spec.get("argmax_hw").get(1).asInt(), argmax % width, "argmax column");
    }
  }

  private static void checkModel(Path golden, char id) throws IOException {
    List<Path> cases;
    try (Stream<Path> files = Files.list(golden)) {
      cases = files.filter(p -> p.getFileName().toString().matches(id + "_.*__[a-z0-9]+\\.json")).sorted().toList();
    }
    assertFalse(cases.isEmpty(), "no golden cases for model " + id);
    try (KerasModel model = GoldenModels.model(golden, id)) {
      for (Path c : cases) {
        checkCase(golden, model, c);
      }
    }
  }

  private static void checkCase(Path golden, KerasModel model, Path caseFile) throws IOException {
    String name = caseFile.getFileName().toString().replace(".json", "");
    JsonNode gradcams = JSON.readTree(caseFile.toFile()).get("gradcam");
    FloatTensor input = Npy.read(golden.resolve(name + "_input.npy"));
    assertEquals(gradcams.get(0).get("target_layer").asText(), CamExplainer.of(model).layer(),
        name + ": the default target layer is the golden one (the last map before the classifier)");
    int checked = 0;
    for (JsonNode target : gradcams) {
      String layer = target.get("target_layer").asText();
      String suffix = layer.equals(gradcams.get(0).get("target_layer").asText()) ? "" : "_" + layer;
      for (String variant : List.of("prob", "logit")) {
        CamMethod method = variant.equals("prob") ? CamMethod.GRAD_CAM_BOOK : CamMethod.GRAD_CAM;
        CamExplainer cam = CamExplainer.of(model, CamOptions.defaults().withMethod(method).withLayer(layer));
        List<Heatmap> maps = cam.explain(input);
        FloatTensor expected = Npy.read(golden.resolve(name + "_gradcam" + suffix + "_" + variant + ".npy"));
        String where = name + " " + layer + " " + variant;
        assertEquals(target.get("samples").size(), maps.size(), where + " samples");
        for (int n = 0; n < maps.size(); n++) {
          JsonNode sample = target.get("samples").get(n);
          JsonNode v = sample.get("variants").get(variant);
          check(where + " sample " + n, sample.get("class_index").asInt(), v, expected.slice(n), maps.get(n));
          checked++;
        }
      }
    }
    assertTrue(checked >= 2, name + ": nothing compared");
  }

  private static void check(String where, int classIndex, JsonNode v, FloatTensor expected, Heatmap h) {
    assertEquals(classIndex, h.classIndex(), where + " class index");
    assertEquals(v.get("degenerate").asBoolean(), h.degenerate(), where + " degenerate");
    double[] pooled = doubles(v.get("pooled_grads"));
    double maxPooled = maxAbs(pooled);
    assertEquals(pooled.length, h.weights().size(), where + " channels");
    for (int k = 0; k < pooled.length; k++) {
      assertEquals(pooled[k], h.weights().data()[k], 1e-4 * maxPooled, where + " pooled[" + k + "]");
    }
    FloatTensor raw = expected.slice(0);
    FloatTensor normalized = expected.slice(1);
    assertEquals(java.util.Arrays.toString(raw.shape()), java.util.Arrays.toString(h.raw().shape()), where + " shape");
    double maxRaw = 0;
    for (float x : raw.data()) {
      maxRaw = Math.max(maxRaw, Math.abs(x));
    }
    for (int i = 0; i < raw.size(); i++) {
      assertEquals(raw.data()[i], h.raw().data()[i], 1e-4 * maxRaw, where + " raw[" + i + "]");
      assertEquals(normalized.data()[i], h.normalized().data()[i], 1e-4, where + " normalized[" + i + "]");
    }
  }

  private static double[] doubles(JsonNode array) {
    double[] d = new double[array.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = array.get(i).asDouble();
    }
    return d;
  }

  private static double maxAbs(double[] d) {
    double m = 0;
    for (double x : d) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }
}
