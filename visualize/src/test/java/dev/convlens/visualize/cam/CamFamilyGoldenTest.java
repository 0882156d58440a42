package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.fixtures.GoldenModels;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The CAM family against golden/cam-family (an independent float64 implementation, golden
 * README §10): for every case (MobileNet-0.25 and the two cats-vs-dogs convnets) and every method
 * with a golden map, the class explained (the argmax, no class asked for) is the golden one and
 * the normalised map is within 1e-4 of the golden {@code [1]} of {@code <case>_cam_<method>.npy}.
 * The golden {@code gradcam} is the paper's (logit score, summed channels): our GRAD_CAM,
 * not the book's default.
 */
class CamFamilyGoldenTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOLERANCE = 1e-4;

  /** Golden file name of each method. */
  private static final Map<String, CamMethod> METHODS = new LinkedHashMap<>();

  static {
    METHODS.put("gradcam", CamMethod.GRAD_CAM);
    METHODS.put("hirescam", CamMethod.HIRES_CAM);
    METHODS.put("xgradcam", CamMethod.XGRAD_CAM);
    METHODS.put("gradcampp", CamMethod.GRAD_CAM_PLUS_PLUS);
    METHODS.put("layercam", CamMethod.LAYER_CAM);
    METHODS.put("eigencam", CamMethod.EIGEN_CAM);
  }

  @TestFactory
  Stream<DynamicTest> everyMethodMatchesItsGoldenMaps() throws IOException {
    Path dir = SharedData.require("golden/cam-family");
    JsonNode cases = JSON.readTree(dir.resolve("cam_family.json").toFile()).get("cases");
    List<String> names = new ArrayList<>();
    cases.fieldNames().forEachRemaining(names::add);
    assertFalse(names.isEmpty(), "cam_family.json has no cases");
    List<DynamicTest> tests = new ArrayList<>();
    for (char id : "ABC".toCharArray()) {
      List<String> ofModel = names.stream().filter(n -> n.charAt(0) == id).toList();
      if (!ofModel.isEmpty()) {
        tests.add(DynamicTest.dynamicTest("model " + id, () -> checkModel(dir, id, ofModel, cases)));
      }
    }
    return tests.stream();
  }

  private static void checkModel(Path dir, char id, List<String> names, JsonNode cases) {
    Path golden = dir.getParent();
    List<String> failures = new ArrayList<>();
    try (KerasModel model = GoldenModels.model(golden, id)) {
      for (String name : names) {
        JsonNode spec = cases.get(name);
        FloatTensor input = Npy.read(golden.resolve(name + "_input.npy"));
        String layer = spec.get("target_layer").asText();
        for (Iterator<String> it = spec.get("methods").fieldNames(); it.hasNext(); ) {
          String file = it.next();
          CamMethod method = METHODS.get(file);
          if (method == null) {
            failures.add(name + ": no method for golden '" + file + "'");
            continue;
          }
          Heatmap h = CamExplainer.of(model, CamOptions.defaults().withMethod(method).withLayer(layer))
              .explain(input).get(0);
          FloatTensor expected = Npy.read(dir.resolve(name + "_cam_" + file + ".npy")).slice(1);
          String where = name + " " + file + " (" + method.cliName() + ")";
          assertEquals(spec.get("class_index").asInt(), h.classIndex(), where + ": class");
          assertEquals(Arrays.toString(expected.shape()), Arrays.toString(h.normalized().shape()), where + ": shape");
          double dev = maxAbsDiff(expected.data(), h.normalized().data());
          System.out.printf(Locale.ROOT, "cam-family %s: max |normalized - golden| = %.3g%n", where, dev);
          if (!(dev <= TOLERANCE)) {
            failures.add(String.format(Locale.ROOT, "%s: max deviation %.3g > %.0e", where, dev, TOLERANCE));
          }
        }
      }
    }
    // Every case and method is compared before failing, so one run reports all deviations.
    assertEquals(List.of(), failures);
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }
}
