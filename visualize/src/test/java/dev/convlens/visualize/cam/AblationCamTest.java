package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fixtures.TestArrays;
import dev.convlens.bridge.spi.ModelGraph;
import dev.convlens.bridge.spi.ModelVariable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Ablation-CAM's weights against logits computed on a separate path: a second copy of the model
 * whose target convolution has channel k's kernel and bias set to zero, so that the ReLU makes
 * channel k zero everywhere, run from the input as a plain model. The fixture has a path around
 * the target layer (a 1x1 convolution of the input added after it), which the fed runs must
 * still compute from the image.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AblationCamTest {
  private static final int K = 4;
  private KerasModelFixture fixture;
  private KerasModel model;
  private FloatTensor input;

  @BeforeAll
  void build() {
    fixture = FixtureBuilder.functional("ablate").seed(21)
        .input("image", 8, 8, 3)
        .conv2d("target", K, 3, "same", "relu")
        .conv2d("after", 4, 3, "same", "relu")
        .from("image").conv2d("skip", 4, 1, "same", "relu")
        .add("join", "after", "skip")
        .globalAvgPool("gap")
        .dense("dense", 3, "softmax")
        .build();
    model = load();
    input = TestArrays.gaussian(8, 2, 8, 8, 3);
  }

  private KerasModel load() {
    return KerasModel.fromConfig(fixture.modelConfig().toString(), fixture.weightSource(), LoadOptions.defaults());
  }

  @AfterAll
  void close() {
    model.close();
  }

  @Test
  void weightsAreTheRelativeLogitDropsOfAModelWithTheChannelZeroedInItsWeights() {
    // expected[k + 1][n][c]: logits of image n with channel k removed; [0]: the model as it is.
    List<float[][]> logits = new ArrayList<>();
    try (KerasModel copy = load()) {
      logits.add(logits(copy));
      List<ModelVariable> vars = copy.graph().layer("target").variables();
      Map<ModelVariable, FloatTensor> original = copy.graph().readVariables(vars);
      for (int k = 0; k < K; k++) {
        Map<ModelVariable, FloatTensor> zeroed = new HashMap<>();
        for (ModelVariable v : vars) {
          float[] d = original.get(v).data().clone();
          for (int i = k; i < d.length; i += K) { // kernel [3,3,3,K] and bias [K]: channel last
            d[i] = 0;
          }
          zeroed.put(v, new FloatTensor(original.get(v).shape(), d));
        }
        copy.graph().assignVariables(zeroed);
        logits.add(logits(copy));
      }
    }
    CamExplainer cam = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.ABLATION_CAM).withLayer("target")
        .withScoreCamBatchSize(3));
    float[] a = model.activations(input, List.of("target")).get("target").data();
    int negative = 0;
    for (int n = 0; n < 2; n++) {
      List<Heatmap> maps = cam.explainClasses(input.slice(n), 0, 1, 2);
      for (int c = 0; c < 3; c++) {
        double y = logits.get(0)[n][c];
        negative += y < 0 ? 1 : 0;
        float[] w = maps.get(c).weights().data();
        double scale = 0;
        for (int k = 0; k < K; k++) {
          scale = Math.max(scale, Math.abs(logits.get(k + 1)[n][c] - y) / Math.abs(y));
        }
        assertTrue(scale > 1e-3, "no channel moves the logit of image " + n + " class " + c + ": nothing is checked");
        double[] expected = new double[K];
        for (int k = 0; k < K; k++) {
          expected[k] = (y - logits.get(k + 1)[n][c]) / Math.abs(y);
          assertEquals(expected[k], w[k], 1e-4 * scale, "image " + n + " class " + c + " channel " + k);
        }
        // The map is the weighted sum of the activations.
        float[] raw = maps.get(c).raw().data();
        for (int p = 0; p < 64; p++) {
          double sum = 0;
          for (int k = 0; k < K; k++) {
            sum += expected[k] * a[(n * 64 + p) * K + k];
          }
          assertEquals(sum, raw[p], 1e-3 * Math.max(1, Math.abs(sum)), "raw map, image " + n + " class " + c);
        }
      }
    }
    assertTrue(negative > 0, "no negative logit among the six: the |y| rule is not exercised");
  }

  /** A target other than a class: the model output (softmax probability) of unit 1, ablated on the same separate path. */
  @Test
  void anOutputTargetIsAblatedOnTheProbability() {
    List<float[]> probs = new ArrayList<>(); // [k + 1]: image 0's output with channel k removed; [0]: as it is
    try (KerasModel copy = load()) {
      ModelGraph g = copy.graph();
      probs.add(g.newRun().feedInput(input.slice(0)).fetch(g.output()).run().get(0).data());
      List<ModelVariable> vars = g.layer("target").variables();
      Map<ModelVariable, FloatTensor> original = g.readVariables(vars);
      for (int k = 0; k < K; k++) {
        Map<ModelVariable, FloatTensor> zeroed = new HashMap<>();
        for (ModelVariable v : vars) {
          float[] d = original.get(v).data().clone();
          for (int i = k; i < d.length; i += K) {
            d[i] = 0;
          }
          zeroed.put(v, new FloatTensor(original.get(v).shape(), d));
        }
        g.assignVariables(zeroed);
        probs.add(g.newRun().feedInput(input.slice(0)).fetch(g.output()).run().get(0).data());
      }
    }
    Heatmap h = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.ABLATION_CAM).withLayer("target"))
        .explain(input.slice(0), List.of(Target.output(1))).get(0);
    double y = probs.get(0)[1];
    assertEquals(y, h.score(), 1e-6, "the target's score is the probability");
    double scale = 0;
    for (int k = 0; k < K; k++) {
      scale = Math.max(scale, Math.abs(y - probs.get(k + 1)[1]) / y);
    }
    assertTrue(scale > 1e-4, "no channel moves the probability: nothing is checked");
    for (int k = 0; k < K; k++) {
      assertEquals((y - probs.get(k + 1)[1]) / y, h.weights().data()[k], 1e-4 * scale, "channel " + k);
    }
  }

  @Test
  void batchSizeDoesNotChangeTheMapsAndEveryRunIsReported() {
    List<Heatmap> one = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.ABLATION_CAM).withLayer("target")
        .withScoreCamBatchSize(1)).explain(input);
    List<CamProgress> events = new ArrayList<>();
    List<Heatmap> all = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.ABLATION_CAM).withLayer("target")
        .withScoreCamBatchSize(64).withListener(events::add)).explain(input);
    for (int n = 0; n < 2; n++) {
      float[] e = one.get(n).raw().data();
      float[] g = all.get(n).raw().data();
      for (int p = 0; p < e.length; p++) {
        assertEquals(e[p], g[p], 1e-5 * Math.max(1, Math.abs(e[p])), "image " + n + " position " + p);
      }
    }
    // Batch 64 holds all K + 1 rows of an image: one run per image, K + 1 rows each.
    assertEquals(List.of(new CamProgress(K + 1, 2 * (K + 1)), new CamProgress(2 * (K + 1), 2 * (K + 1))), events);
  }

  @Test
  void aListenerThatCancelsStopsTheNextRun() {
    Cancellation cancel = Cancellation.token();
    List<CamProgress> events = new ArrayList<>();
    CamExplainer cam = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.ABLATION_CAM).withLayer("target")
        .withScoreCamBatchSize(2).withCancellation(cancel).withListener(p -> {
          events.add(p);
          cancel.cancel();
        }));
    assertThrows(CancelledException.class, () -> cam.explain(input));
    assertEquals(List.of(new CamProgress(2, 2 * (K + 1))), events, "one run of 2 rows, then stopped");
  }

  @Test
  void aZeroLogitGivesZeroWeightsNotNaN() {
    try (KerasModel zero = load()) {
      ModelGraph g = zero.graph();
      List<ModelVariable> dense = g.layer("dense").variables();
      Map<ModelVariable, FloatTensor> zeros = new HashMap<>();
      for (Map.Entry<ModelVariable, FloatTensor> e : g.readVariables(dense).entrySet()) {
        zeros.put(e.getKey(), new FloatTensor(e.getValue().shape(), new float[(int) e.getValue().size()]));
      }
      g.assignVariables(zeros);
      Heatmap h = CamExplainer.of(zero, CamOptions.defaults().withMethod(CamMethod.ABLATION_CAM).withLayer("target"))
          .explain(input.slice(0), new int[] {1}).get(0);
      for (float w : h.weights().data()) {
        assertEquals(0f, w, "pytorch-grad-cam's (y - y_k) / y is 0/0 here");
      }
      assertTrue(h.degenerate());
    }
  }

  private float[][] logits(KerasModel m) {
    ModelGraph g = m.graph();
    float[] d = g.newRun().feedInput(input).fetch(g.layer("dense").preActivation()).run().get(0).data();
    return new float[][] {java.util.Arrays.copyOfRange(d, 0, 3), java.util.Arrays.copyOfRange(d, 3, 6)};
  }
}
