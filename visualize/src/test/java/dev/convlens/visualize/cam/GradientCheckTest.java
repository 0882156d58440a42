package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fixtures.TestArrays;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The pooled gradients checked without trusting TF's gradients: by central finite differences of
 * the score in the target activation (the activation is fed in place of the layer's output, a whole
 * channel shifted by +-eps, as golden/README.md §6 does), and in closed form where the downstream is
 * GlobalAveragePooling2D -> Dense.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GradientCheckTest {
  private KerasModelFixture fixture;
  private KerasModel model;
  private FloatTensor input;

  @BeforeAll
  void build() {
    fixture = FixtureBuilder.functional("fd").seed(11)
        .input("image", 10, 10, 3)
        .conv2d("conv1", 4, 3, "valid", "relu")        // 8x8x4
        .conv2d("target", 6, 3, "same", "relu")        // 8x8x6
        .maxPool("pool", 2)                              // 4x4x6
        .conv2d("last", 5, 3, "same", "relu")          // 4x4x5
        .globalAvgPool("gap")
        .dense("dense", 3, "softmax")
        .build();
    model = KerasModel.fromConfig(fixture.modelConfig().toString(), fixture.weightSource(), LoadOptions.defaults());
    input = TestArrays.gaussian(5, 2, 10, 10, 3);
  }

  @AfterAll
  void close() {
    model.close();
  }

  @Test
  void pooledGradientsMatchCentralDifferencesThroughPoolConvAndSoftmax() {
    for (CamMethod method : List.of(CamMethod.GRAD_CAM_BOOK, CamMethod.GRAD_CAM)) {
      List<Heatmap> maps = CamExplainer.of(model, CamOptions.defaults().withMethod(method).withLayer("target"))
          .explain(input, new int[] {1, 2});
      for (int n = 0; n < 2; n++) {
        FloatTensor x = input.slice(n);
        FloatTensor a = model.activations(x, List.of("target")).get("target");
        float absMax = 0;
        for (float v : a.data()) {
          absMax = Math.max(absMax, Math.abs(v));
        }
        double eps = 1e-3 * Math.max(1, absMax);
        int c = maps.get(n).classIndex();
        float[] pooled = maps.get(n).weights().data();
        double maxPooled = 0;
        for (float p : pooled) {
          maxPooled = Math.max(maxPooled, Math.abs(p));
        }
        assertTrue(maxPooled > 0, method + ": all pooled gradients are zero, nothing is checked");
        int positions = (int) (a.dim(1) * a.dim(2));
        for (int k = 0; k < pooled.length; k++) {
          double plus = score(x, shifted(a, k, eps), c, method);
          double minus = score(x, shifted(a, k, -eps), c, method);
          double fd = (plus - minus) / (2 * eps * positions);
          assertEquals(fd, pooled[k], 5e-3 * maxPooled, method + " image " + n + " channel " + k);
        }
      }
    }
  }

  @Test
  void pooledGradientsBeforeGapAndDenseAreTheDenseWeightsOverHw() {
    float[] kernel = fixture.weights(List.of("dense")).get(0).value().data(); // [5, 3]
    int units = 3;
    List<Heatmap> logit = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.GRAD_CAM).withLayer("last"))
        .explain(input);
    List<Heatmap> prob = CamExplainer.of(model, CamOptions.defaults().withLayer("last")).explain(input);
    for (int n = 0; n < 2; n++) {
      int c = logit.get(n).classIndex();
      float[] p = prob.get(n).predictions().data();
      int positions = 16;
      for (int k = 0; k < 5; k++) {
        // d logit_c / d A[h,w,k] = W[k,c] / HW everywhere; d p_c = p_c (W[k,c] - sum_j p_j W[k,j]) / HW.
        double dLogit = kernel[k * units + c] / positions;
        double mix = 0;
        for (int j = 0; j < units; j++) {
          mix += p[j] * kernel[k * units + j];
        }
        double dProb = p[c] * (kernel[k * units + c] - mix) / positions;
        assertEquals(dLogit, logit.get(n).weights().data()[k], 1e-6, "logit pooled, image " + n + " channel " + k);
        assertEquals(dProb, prob.get(n).weights().data()[k], 1e-6, "prob pooled, image " + n + " channel " + k);
      }
    }
  }

  @Test
  void batchesAndSeveralClassesPerImageGiveTheMapsOfSingleRuns() {
    CamExplainer cam = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.GRAD_CAM_PLUS_PLUS));
    List<Heatmap> three = cam.explainClasses(input.slice(1), 0, 1, 2);
    for (int c = 0; c < 3; c++) {
      Heatmap single = cam.explain(input.slice(1), new int[] {c}).get(0);
      assertEquals(c, three.get(c).classIndex());
      assertArrayClose(single.raw().data(), three.get(c).raw().data());
    }
    List<Heatmap> batch = cam.explain(input);
    for (int n = 0; n < 2; n++) {
      assertArrayClose(cam.explain(input.slice(n)).get(0).normalized().data(), batch.get(n).normalized().data());
    }
    assertSame(CamOps.of(model, "target", "dense", null), CamOps.of(model, "target", "dense", null),
        "ops are built once per model, layer and output");
  }

  @Test
  void explainersBuildTheirOpsOnCreationAndExplainingAddsNone() {
    int before = model.graph().operationCount();
    CamExplainer layerCam = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.LAYER_CAM).withLayer("conv1"));
    int built = model.graph().operationCount();
    assertTrue(built > before, "of() built no ops: they would be built while serving");
    layerCam.explain(input);
    // Grad-CAM++ differentiates the same logit at the same layer: it shares LayerCAM's ops.
    CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.GRAD_CAM_PLUS_PLUS).withLayer("conv1")).explain(input);
    CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.SCORE_CAM).withLayer("conv1")).explain(input);
    assertEquals(built, model.graph().operationCount(), "explaining, or a second explainer, added ops");
  }

  @Test
  void everyMethodGivesAFiniteMapInZeroToOne() {
    for (CamMethod method : CamMethod.values()) {
      for (Heatmap h : CamExplainer.of(model, CamOptions.defaults().withMethod(method).withScoreCamBatchSize(3)).explain(input)) {
        assertEquals(List.of(4L, 4L), List.of(h.normalized().dim(0), h.normalized().dim(1)), method + " map shape");
        for (float v : h.normalized().data()) {
          assertTrue(v >= 0 && v <= 1, method + ": normalized value " + v);
        }
        assertEquals(h.degenerate() ? 0f : 1f, max(h.normalized().data()), method + ": max of the normalized map");
      }
    }
  }

  private double score(FloatTensor x, FloatTensor a, int c, CamMethod method) {
    ModelGraph g = model.graph();
    var fetch = method == CamMethod.GRAD_CAM_BOOK ? g.output() : g.layer("dense").preActivation();
    FloatTensor out = g.newRun().feedInput(x).feed(g.layer("target").output(), a).fetch(fetch).run().get(0);
    return out.data()[c];
  }

  private static FloatTensor shifted(FloatTensor a, int channel, double eps) {
    float[] d = a.data().clone();
    int k = (int) a.dim(3);
    for (int i = channel; i < d.length; i += k) {
      d[i] += (float) eps;
    }
    return new FloatTensor(a.shape(), d);
  }

  private static float max(float[] v) {
    float m = 0;
    for (float x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  private static void assertArrayClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "entry " + i);
    }
  }

  /**
   * A model with two classifier heads on one map: each head is explained on request, with the
   * closed-form pooled gradients of its own Dense (W[k, c] / HW before GAP -> Dense), and an
   * explainer that does not say which head is refused naming both.
   */
  @Test
  void eachOutputOfATwoHeadModelIsExplainedWithItsOwnWeights() {
    KerasModelFixture two = FixtureBuilder.functional("heads").seed(12)
        .input("image", 6, 6, 3)
        .conv2d("last", 4, 3, "same", "relu")
        .globalAvgPool("gap")
        .dense("kind", 3, "softmax")
        .from("gap").dense("colour", 2, "softmax")
        .outputs("kind", "colour")
        .build();
    try (KerasModel m = KerasModel.fromConfig(two.modelConfig().toString(), two.weightSource(), LoadOptions.defaults())) {
      float[] pixels = java.util.Arrays.copyOf(input.slice(0).data(), 6 * 6 * 3);
      FloatTensor image = FloatTensor.of(pixels, 6, 6, 3);
      for (String head : List.of("kind", "colour")) {
        float[] kernel = two.weights(List.of(head)).get(0).value().data();
        int units = head.equals("kind") ? 3 : 2;
        Heatmap h = CamExplainer.of(m, CamOptions.defaults().withMethod(CamMethod.GRAD_CAM).withOutput(head))
            .explain(image, new int[] {units - 1}).get(0);
        assertEquals(units, h.predictions().size(), head + ": the predictions are this head's");
        for (int k = 0; k < 4; k++) {
          assertEquals(kernel[k * units + units - 1] / 36.0, h.weights().data()[k], 1e-6, head + " channel " + k);
        }
      }
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> CamExplainer.of(m));
      assertTrue(e.getMessage().contains("[kind, colour]") && e.getMessage().contains("withOutput") && e.getMessage().contains("--output"), e.getMessage());
    }
  }
}
