package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Targets given per call: each one's score is checked against the model's own tensors (its output,
 * the layer before its softmax or sigmoid, an embedding) computed here, and each one's gradient
 * against central differences of that score in the target activation (a whole channel shifted by
 * +-eps gives {@code sum_p dS/dA[p, k]}, so {@code H * W} times Grad-CAM's pooled weight).
 */
class TargetTest {
  private static final double EPS = 1e-2;

  @Test
  void aBatchCarriesItsOwnTargetPerImageAndEachScoreIsTheOneAskedFor() {
    try (KerasModel model = classifier("softmax")) {
      FloatTensor x = images(2, 8, 11);
      CamExplainer cam = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.GRAD_CAM).withLayer("target"));
      List<Heatmap> batch = cam.explain(x, List.of(Target.logit(0), Target.output(2)));
      float[] probs = model.predict(x).data();
      float[] logits = tensor(model, x, model.graph().layer("dense").preActivation()).data();
      assertEquals(logits[0], batch.get(0).score(), 1e-5, "logit target: the pre-softmax value");
      assertEquals(probs[3 + 2], batch.get(1).score(), 1e-6, "output target: the probability");
      assertEquals(2, batch.get(1).classIndex());
      assertEquals(probs[3 + 2], batch.get(1).probability(), 1e-6);
      assertEquals(Target.output(2), batch.get(1).target());
      Heatmap alone = cam.explain(x.slice(1), List.of(Target.output(2))).get(0);
      assertClose(alone.raw().data(), batch.get(1).raw().data(), 1e-5, "image 1 alone vs in the batch");
      checkWeightsByDifferences(model, x.slice(1), alone, probsOf(model, 2));
      checkWeightsByDifferences(model, x.slice(0), batch.get(0), logitOf(model, 0));
    }
  }

  @Test
  void severalClassesExplainTheSumOfTheirScores() {
    try (KerasModel model = classifier("softmax")) {
      FloatTensor x = images(1, 8, 12);
      CamExplainer cam = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.GRAD_CAM).withLayer("target"));
      List<Heatmap> each = cam.explainTargets(x, List.of(Target.logit(0), Target.logit(2), Target.classes(0, 2)));
      // The paper's Grad-CAM is linear in the gradient: the map of a sum is the sum of the maps.
      float[] sum = each.get(0).raw().data().clone();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += each.get(1).raw().data()[i];
      }
      assertClose(sum, each.get(2).raw().data(), 1e-5, "classes(0, 2)");
      assertEquals(each.get(0).score() + each.get(1).score(), each.get(2).score(), 1e-5);
      assertEquals(-1, each.get(2).classIndex(), "several classes are not one class");
    }
  }

  @Test
  void aTopClassTargetIsResolvedToTheClassTheMethodScored() {
    try (KerasModel model = classifier("softmax")) {
      FloatTensor x = images(2, 8, 13);
      float[] probs = model.predict(x).data();
      for (CamMethod method : List.of(CamMethod.GRAD_CAM_BOOK, CamMethod.GRAD_CAM, CamMethod.SCORE_CAM)) {
        List<Heatmap> maps = CamExplainer.of(model, CamOptions.defaults().withMethod(method).withLayer("target")).explain(x);
        for (int n = 0; n < 2; n++) {
          int top = RowTargets.argmax(probs, n * 3, 3);
          Target expected = method == CamMethod.GRAD_CAM ? Target.logit(top) : Target.output(top);
          assertEquals(expected, maps.get(n).target(), method + " image " + n);
        }
      }
    }
  }

  @Test
  void regressionAndMultiLabelUnitsAreScoredAsTheyAreOrByTheirLogit() {
    try (KerasModel regression = classifier("linear"); KerasModel multiLabel = classifier("sigmoid")) {
      FloatTensor x = images(1, 8, 14);
      Heatmap value = CamExplainer.of(regression, CamOptions.defaults().withLayer("target"))
          .explain(x, List.of(Target.output(1))).get(0);
      assertEquals(regression.predict(x).data()[1], value.score(), 1e-6, "a regression unit's value");
      checkWeightsByDifferences(regression, x, value, probsOf(regression, 1));
      CamExplainer cam = CamExplainer.of(multiLabel, CamOptions.defaults().withMethod(CamMethod.GRAD_CAM).withLayer("target"));
      List<Heatmap> unit = cam.explainTargets(x, List.of(Target.output(2), Target.logit(2)));
      double p = multiLabel.predict(x).data()[2];
      assertEquals(p, unit.get(0).score(), 1e-6, "the sigmoid's probability");
      assertEquals(Math.log(p / (1 - p)), unit.get(1).score(), 1e-4, "its logit");
      checkWeightsByDifferences(multiLabel, x, unit.get(0), probsOf(multiLabel, 2));
    }
  }

  /** A dense output: class 1's logits summed over a mask, checked as a sum computed here and by differences. */
  @Test
  void aRegionOfADenseOutputSumsItsClassLogitsOverTheMask() {
    var fixture = FixtureBuilder.functional("seg").seed(21)
        .input("image", 8, 8, 3)
        .conv2d("target", 4, 3, "same", "relu")
        .conv2d("seg", 3, 1, "same", "softmax")
        .build();
    try (KerasModel seg = KerasModel.fromConfig(fixture.modelConfig().toString(), fixture.weightSource(), LoadOptions.defaults())) {
      FloatTensor x = images(1, 8, 15);
      float[] mask = new float[64];
      for (int y = 2; y < 6; y++) {
        for (int c = 1; c < 4; c++) {
          mask[y * 8 + c] = 1;
        }
      }
      FloatTensor m = FloatTensor.of(mask, 8, 8);
      CamOptions gradCam = CamOptions.defaults().withMethod(CamMethod.GRAD_CAM).withLayer("target");
      Heatmap h = CamExplainer.of(seg, gradCam).explain(x, List.of(Target.region(1, m))).get(0);
      float[] logits = tensor(seg, x, seg.graph().layer("seg").preActivation()).data();
      double expected = 0;
      for (int p = 0; p < 64; p++) {
        expected += mask[p] * logits[p * 3 + 1];
      }
      assertEquals(expected, h.score(), 1e-4);
      assertEquals(-1, h.classIndex());
      checkWeightsByDifferences(seg, x, h, (model, a) -> {
        float[] l = run(model, x, a, model.graph().layer("seg").preActivation()).data();
        double s = 0;
        for (int p = 0; p < 64; p++) {
          s += mask[p] * l[p * 3 + 1];
        }
        return s;
      });
      CamExplainer cam = CamExplainer.of(seg, gradCam);
      InvalidInputException top = assertThrows(InvalidInputException.class, () -> cam.explain(x));
      assertTrue(top.getMessage().contains("[8, 8, 3]") && top.getMessage().contains("Target.region"), top.getMessage());
      InvalidInputException small = assertThrows(InvalidInputException.class,
          () -> cam.explain(x, List.of(Target.region(1, FloatTensor.of(new float[16], 4, 4)))));
      assertTrue(small.getMessage().contains("[4, 4]"), small.getMessage());
      Heatmap scored = CamExplainer.of(seg, gradCam.withMethod(CamMethod.SCORE_CAM))
          .explain(x, List.of(Target.region(1, m))).get(0);
      assertEquals(expected, scored.score(), 1e-4, "Score-CAM scores the region in Java as the graph does");
    }
  }

  @Test
  void similarityIsTheCosineOfTheEmbeddingToTheReference() {
    try (KerasModel model = classifier("linear")) {
      FloatTensor x = images(1, 8, 16);
      float[] reference = {0.5f, -1f, 2f};
      Heatmap h = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.GRAD_CAM).withLayer("target"))
          .explain(x, List.of(Target.similarity(FloatTensor.of(reference, 3)))).get(0);
      assertEquals(cosine(model.predict(x).data(), reference), h.score(), 1e-5);
      checkWeightsByDifferences(model, x, h, (m, a) -> cosine(run(m, x, a, m.graph().output()).data(), reference));
      Heatmap scored = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.SCORE_CAM).withLayer("target"))
          .explain(x, List.of(Target.similarity(FloatTensor.of(reference, 3)))).get(0);
      assertEquals(h.score(), scored.score(), 1e-5, "Score-CAM scores the similarity in Java as the graph does");
      CamExplainer gap = CamExplainer.of(model, CamOptions.defaults().withLayer("target").withEmbedding("gap"));
      float[] features = tensor(model, x, model.graph().layer("gap").output()).data();
      float[] ref5 = {1, 0, 2, 0, -1};
      assertEquals(cosine(features, ref5), gap.explain(x, List.of(Target.similarity(FloatTensor.of(ref5, 5)))).get(0).score(),
          1e-5, "the embedding layer's output, not the model's");
      InvalidInputException wrong = assertThrows(InvalidInputException.class,
          () -> gap.explain(x, List.of(Target.similarity(FloatTensor.of(reference, 3)))));
      assertTrue(wrong.getMessage().contains("3 values") && wrong.getMessage().contains("5"), wrong.getMessage());
    }
  }

  @Test
  void inputAttributionTakesTargetsToo() {
    try (KerasModel model = classifier("softmax")) {
      FloatTensor x = images(1, 8, 17).slice(0);
      InputAttribution attr = InputAttribution.of(model);
      FloatTensor g = attr.gradient(x, AttributionOptions.defaults().withTarget(Target.output(1)));
      Saliency s = attr.saliency(x, AttributionOptions.defaults().withTarget(Target.output(1)));
      assertEquals(model.predict(new FloatTensor(new long[] {1, 8, 8, 3}, x.data())).data()[1], s.score(), 1e-6);
      for (int i : new int[] {0, 77, 191}) {
        float[] plus = x.data().clone();
        float[] minus = x.data().clone();
        plus[i] += (float) EPS;
        minus[i] -= (float) EPS;
        double fd = (model.predict(FloatTensor.of(plus, 1, 8, 8, 3)).data()[1]
            - model.predict(FloatTensor.of(minus, 1, 8, 8, 3)).data()[1]) / (2 * EPS);
        assertEquals(fd, g.data()[i], 1e-3 * Math.max(1, Math.abs(fd)), "d p1 / d x[" + i + "]");
      }
      assertThrows(InvalidInputException.class,
          () -> attr.saliency(x, AttributionOptions.defaults().withTarget(Target.logit(3))));
    }
  }

  /** The score as a function of the target activation fed in place of the layer's output. */
  private interface Score {
    double at(KerasModel model, FloatTensor activation);
  }

  private static Score probsOf(KerasModel model, int c) {
    return (m, a) -> run(m, null, a, m.graph().output()).data()[c];
  }

  private static Score logitOf(KerasModel model, int c) {
    return (m, a) -> run(m, null, a, m.graph().layer("dense").preActivation()).data()[c];
  }

  /** Grad-CAM's weight k (the pooled gradient, for the book's variant too) vs central differences over channel k. */
  private static void checkWeightsByDifferences(KerasModel model, FloatTensor image, Heatmap h, Score score) {
    FloatTensor one = image.rank() == 3 ? new FloatTensor(prepend(image.shape()), image.data()) : image;
    String layer = model.layers().stream().filter(l -> l.name().equals("target")).findFirst().orElseThrow().path();
    FloatTensor a = tensor(model, one, model.graph().layer(layer).output());
    int k = (int) a.dim(3);
    int positions = (int) (a.dim(1) * a.dim(2));
    for (int c = 0; c < k; c++) {
      double fd = (score.at(model, shifted(a, c, EPS)) - score.at(model, shifted(a, c, -EPS))) / (2 * EPS);
      double expected = fd / positions;
      assertEquals(expected, h.weights().data()[c], 2e-3 * Math.max(1e-2, Math.abs(expected)), "weight of channel " + c);
    }
  }

  private static long[] prepend(long[] shape) {
    long[] s = new long[shape.length + 1];
    s[0] = 1;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  private static FloatTensor run(KerasModel model, FloatTensor image, FloatTensor activation,
      org.tensorflow.Operand<org.tensorflow.types.TFloat32> fetch) {
    ModelGraph g = model.graph();
    String layer = model.layers().stream().filter(l -> l.name().equals("target")).findFirst().orElseThrow().path();
    var run = g.newRun().feed(g.layer(layer).output(), activation);
    if (image != null) {
      run = run.feedInput(image);
    }
    return run.fetch(fetch).run().get(0);
  }

  private static FloatTensor tensor(KerasModel model, FloatTensor x,
      org.tensorflow.Operand<org.tensorflow.types.TFloat32> fetch) {
    return model.graph().newRun().feedInput(x).fetch(fetch).run().get(0);
  }

  /** conv -> target conv -> GAP -> Dense(3, activation). */
  private static KerasModel classifier(String activation) {
    var f = FixtureBuilder.functional("t-" + activation).seed(31)
        .input("image", 8, 8, 3)
        .conv2d("conv1", 4, 3, "same", "relu")
        .conv2d("target", 5, 3, "same", "relu")
        .globalAvgPool("gap")
        .dense("dense", 3, activation)
        .build();
    return KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults());
  }

  private static FloatTensor images(int n, int size, long seed) {
    Random r = new Random(seed);
    float[] d = new float[n * size * size * 3];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) r.nextGaussian();
    }
    return FloatTensor.of(d, n, size, size, 3);
  }

  private static FloatTensor shifted(FloatTensor a, int channel, double eps) {
    float[] d = a.data().clone();
    int k = (int) a.dim(3);
    for (int i = channel; i < d.length; i += k) {
      d[i] += (float) eps;
    }
    return new FloatTensor(a.shape(), d);
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(aa * bb);
  }

  private static void assertClose(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), what + " entry " + i);
    }
  }
}
