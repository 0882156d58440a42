package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fixtures.TestArrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The input gradient checked without trusting TF's gradients: central differences of the logit
 * (the output of the linear Dense layer before the separate softmax, read by a forward pass) in
 * every input value of a small smooth (tanh) model; Integrated Gradients the same for any batch size,
 * and complete (sum = logit(x) - logit(baseline)) for a smooth model with many steps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttributionGradientTest {
  private KerasModelFixture fixture;
  private KerasModel model;
  private FloatTensor image;

  @BeforeAll
  void build() {
    fixture = FixtureBuilder.functional("attr").seed(7)
        .input("image", 6, 6, 2)
        .conv2d("conv1", 3, 3, "same", "tanh")
        .conv2d("conv2", 4, 3, "valid", "tanh")       // 4x4x4
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

  @Test
  void inputGradientMatchesCentralDifferencesOfTheLogit() {
    InputAttribution attr = InputAttribution.of(model);
    for (int c = 0; c < 3; c++) {
      FloatTensor g = attr.gradient(image, AttributionOptions.defaults().withClassIndex(c));
      int d = image.data().length;
      double eps = 1e-2;
      float[] batch = new float[2 * d * d];
      for (int i = 0; i < d; i++) {
        System.arraycopy(image.data(), 0, batch, 2 * i * d, d);
        System.arraycopy(image.data(), 0, batch, (2 * i + 1) * d, d);
        batch[2 * i * d + i] += (float) eps;
        batch[(2 * i + 1) * d + i] -= (float) eps;
      }
      float[] logits = model.activations(FloatTensor.of(batch, 2L * d, 6, 6, 2), List.of("logits")).get("logits").data();
      double maxG = 0;
      for (float v : g.data()) {
        maxG = Math.max(maxG, Math.abs(v));
      }
      assertTrue(maxG > 1e-3, "class " + c + ": the gradient is all but zero, nothing is checked");
      for (int i = 0; i < d; i++) {
        double fd = (logits[2 * i * 3 + c] - logits[(2 * i + 1) * 3 + c]) / (2 * eps);
        assertEquals(fd, g.data()[i], 2e-3 * maxG, "class " + c + " d logit / d x[" + i + "]");
      }
    }
  }

  @Test
  void saliencyIsTheLargestAbsoluteGradientOverChannels() {
    InputAttribution attr = InputAttribution.of(model);
    AttributionOptions o = AttributionOptions.defaults().withClassIndex(2);
    FloatTensor g = attr.gradient(image, o);
    Saliency s = attr.saliency(image, o);
    assertEquals(2, s.classIndex());
    for (int p = 0; p < 36; p++) {
      assertEquals(Math.max(Math.abs(g.data()[2 * p]), Math.abs(g.data()[2 * p + 1])), s.map().data()[p], 0f);
    }
    float max = 0;
    for (float v : s.scaled().data()) {
      max = Math.max(max, v);
      assertTrue(v >= 0 && v <= 1);
    }
    assertEquals(1f, max, 1e-6f);
  }

  @Test
  void batchingTheStepsDoesNotChangeIntegratedGradients() {
    InputAttribution attr = InputAttribution.of(model);
    IntegratedGradients one = attr.integratedGradients(image, AttributionOptions.defaults().withBatchSize(1));
    IntegratedGradients sixteen = attr.integratedGradients(image, AttributionOptions.defaults().withBatchSize(16));
    IntegratedGradients all = attr.integratedGradients(image, AttributionOptions.defaults().withBatchSize(64));
    double max = 0;
    for (float v : one.attributions().data()) {
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max > 0);
    for (int i = 0; i < one.attributions().data().length; i++) {
      assertEquals(one.attributions().data()[i], sixteen.attributions().data()[i], 1e-5 * max, "[" + i + "]");
      assertEquals(one.attributions().data()[i], all.attributions().data()[i], 1e-5 * max, "[" + i + "]");
    }
    assertEquals(one.classIndex(), sixteen.classIndex());
  }

  @Test
  void integratedGradientsAreCompleteForASmoothModelWithManySteps() {
    InputAttribution attr = InputAttribution.of(model);
    float[] b = new float[72];
    java.util.Arrays.fill(b, 0.3f);
    FloatTensor baseline = FloatTensor.of(b, 6, 6, 2);
    for (FloatTensor base : java.util.Arrays.asList(null, baseline)) {
      IntegratedGradients ig = attr.integratedGradients(image,
          AttributionOptions.defaults().withClassIndex(1).withSteps(400).withBaseline(base));
      FloatTensor ends = FloatTensor.stack(List.of(image, base == null ? FloatTensor.of(new float[72], 6, 6, 2) : base));
      float[] logits = model.activations(ends, List.of("logits")).get("logits").data();
      double gap = logits[1] - logits[3 + 1];
      assertEquals(gap, ig.sum(), 1e-3 * Math.max(1, Math.abs(gap)), "baseline " + (base == null ? "zeros" : "0.3"));
      assertEquals(logits[1], ig.score(), 1e-4);
      assertEquals(logits[3 + 1], ig.baselineScore(), 1e-4);
    }
  }

  @Test
  void oneExtensionPerModelAndCheckedArguments() {
    assertSame(InputAttribution.of(model).ops(), InputAttribution.of(model).ops());
    InputAttribution attr = InputAttribution.of(model);
    assertThrows(InvalidInputException.class,
        () -> attr.saliency(image, AttributionOptions.defaults().withClassIndex(3)));
    assertThrows(InvalidInputException.class, () -> attr.saliency(FloatTensor.of(new float[144], 2, 6, 6, 2),
        AttributionOptions.defaults()));
    assertThrows(InvalidInputException.class, () -> attr.integratedGradients(image,
        AttributionOptions.defaults().withBaseline(FloatTensor.of(new float[12], 6, 2))));
    assertThrows(InvalidInputException.class, () -> AttributionOptions.defaults().withSteps(0));
    assertThrows(InvalidInputException.class, () -> AttributionOptions.defaults().withBatchSize(0));
  }

  @Test
  void concurrentCallsOnOneInstanceAgree() throws Exception {
    InputAttribution attr = InputAttribution.of(model);
    AttributionOptions o = AttributionOptions.defaults().withBatchSize(4);
    float[] expected = attr.integratedGradients(image, o).attributions().data();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<IntegratedGradients>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> attr.integratedGradients(image, o)));
      }
      for (java.util.concurrent.Future<IntegratedGradients> f : futures) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, f.get().attributions().data(), 1e-6f);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A 1-unit sigmoid head: unit 0's logit, the Dense output before the sigmoid. */
  @Test
  void sigmoidModelExplainsUnitZerosLogit() {
    KerasModelFixture f = FixtureBuilder.functional("sig").seed(9).input("image", 6, 6, 2)
        .conv2d("conv1", 3, 3, "same", "tanh").flatten("flat").dense("out", 1, "sigmoid").build();
    try (KerasModel sig = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults())) {
      IntegratedGradients ig = InputAttribution.of(sig).integratedGradients(image,
          AttributionOptions.defaults().withSteps(400));
      assertEquals(0, ig.classIndex());
      float[] p = sig.activations(FloatTensor.stack(List.of(image, FloatTensor.of(new float[72], 6, 6, 2))),
          List.of("out")).get("out").data();
      // The logit is the inverse sigmoid of the output.
      double gap = Math.log(p[0] / (1 - p[0])) - Math.log(p[1] / (1 - p[1]));
      assertEquals(gap, ig.sum(), 1e-3 * Math.max(1, Math.abs(gap)));
    }
  }

  @Test
  void aCancelledTokenStopsBeforeTheFirstRun() {
    Cancellation c = Cancellation.token();
    c.cancel();
    InputAttribution attr = InputAttribution.of(model);
    assertThrows(CancelledException.class,
        () -> attr.integratedGradients(image, AttributionOptions.defaults().withCancellation(c)));
  }
}
