package dev.convlens.visualize.cam;

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
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fixtures.TestArrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SmoothGrad on a small smooth (tanh) model: the mean gradient against the mean of central
 * differences of the logit at the same noisy points (regenerated here from the documented noise:
 * {@code new Random(seed).nextGaussian() * sigma}, copy after copy, value after value), seeding,
 * batching, the map and the options.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmoothGradTest {
  private KerasModel model;
  private FloatTensor image;

  @BeforeAll
  void build() {
    KerasModelFixture f = FixtureBuilder.functional("smooth").seed(7).input("image", 6, 6, 2)
        .conv2d("conv1", 3, 3, "same", "tanh").conv2d("conv2", 4, 3, "valid", "tanh").flatten("flat")
        .dense("logits", 3, "linear").activation("probs", "softmax").build();
    model = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults());
    image = TestArrays.gaussian(3, 6, 6, 2);
  }

  @AfterAll
  void close() {
    model.close();
  }

  @Test
  void meanGradientMatchesCentralDifferencesAtTheNoisyPoints() {
    checkAgainstCentralDifferences(Target.classIndex(1), "logits", 1);
  }

  /** A target on the softmax output: the gradient runs through the softmax too. */
  @Test
  void anOutputTargetsMeanGradientMatchesCentralDifferences() {
    checkAgainstCentralDifferences(Target.output(0), "probs", 0);
  }

  /** SmoothGrad of {@code target} against central differences of column {@code c} of {@code layer}. */
  private void checkAgainstCentralDifferences(Target target, String layer, int c) {
    int samples = 4;
    long seed = 11;
    double level = 0.3;
    SmoothGrad sg = InputAttribution.of(model).smoothGrad(image,
        AttributionOptions.defaults().withTarget(target).withSamples(samples).withSeed(seed).withNoiseLevel(level)
            .withBatchSize(3));
    float[] x = image.data();
    int d = x.length;
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    double sigma = level * ((double) max - min);
    assertEquals(sigma, sg.sigma(), 1e-12);
    Random noise = new Random(seed);
    double eps = 1e-2;
    float[] batch = new float[samples * 2 * d * d];
    for (int s = 0; s < samples; s++) {
      float[] point = new float[d];
      for (int i = 0; i < d; i++) {
        point[i] = (float) (x[i] + noise.nextGaussian() * sigma);
      }
      for (int i = 0; i < d; i++) {
        int plus = ((s * d + i) * 2) * d;
        System.arraycopy(point, 0, batch, plus, d);
        System.arraycopy(point, 0, batch, plus + d, d);
        batch[plus + i] += (float) eps;
        batch[plus + d + i] -= (float) eps;
      }
    }
    float[] logits = model.activations(FloatTensor.of(batch, (long) samples * 2 * d, 6, 6, 2), List.of(layer))
        .get(layer).data();
    double[] expected = new double[d];
    for (int s = 0; s < samples; s++) {
      for (int i = 0; i < d; i++) {
        int plus = (s * d + i) * 2;
        expected[i] += (logits[plus * 3 + c] - logits[(plus + 1) * 3 + c]) / (2 * eps) / samples;
      }
    }
    float[] plain = InputAttribution.of(model).gradient(image, AttributionOptions.defaults().withTarget(target)).data();
    double maxG = 0;
    double moved = 0;
    for (int i = 0; i < d; i++) {
      maxG = Math.max(maxG, Math.abs(expected[i]));
      moved = Math.max(moved, Math.abs(expected[i] - plain[i]));
    }
    assertTrue(moved > 0.05 * maxG, "the noise must move the gradient for the check to mean anything: " + moved);
    for (int i = 0; i < d; i++) {
      assertEquals(expected[i], sg.gradient().data()[i], 2e-3 * maxG, "mean d " + layer + " / d x[" + i + "]");
    }
    assertEquals(c, sg.classIndex());
  }

  @Test
  void theSeedFixesTheMapAndTheBatchSizeDoesNotChangeIt() {
    InputAttribution attr = InputAttribution.of(model);
    AttributionOptions o = AttributionOptions.defaults().withSamples(10).withSeed(5);
    SmoothGrad one = attr.smoothGrad(image, o.withBatchSize(1));
    SmoothGrad again = attr.smoothGrad(image, o.withBatchSize(1));
    SmoothGrad batched = attr.smoothGrad(image, o.withBatchSize(4));
    SmoothGrad other = attr.smoothGrad(image, o.withSeed(6));
    assertArrayEquals(one.gradient().data(), again.gradient().data(), 0f);
    double max = 0;
    double differs = 0;
    for (int i = 0; i < 72; i++) {
      max = Math.max(max, Math.abs(one.gradient().data()[i]));
      differs = Math.max(differs, Math.abs(one.gradient().data()[i] - other.gradient().data()[i]));
    }
    assertArrayEquals(one.gradient().data(), batched.gradient().data(), (float) (1e-5 * max));
    assertTrue(differs > 1e-3 * max, "another seed, other noise: " + differs);
    assertEquals(10, one.samples());
  }

  @Test
  void noNoiseGivesThePlainGradientAndTheMapIsItsLargestChannel() {
    InputAttribution attr = InputAttribution.of(model);
    AttributionOptions o = AttributionOptions.defaults().withClassIndex(2).withNoiseLevel(0).withSamples(3);
    SmoothGrad sg = attr.smoothGrad(image, o);
    float[] plain = attr.gradient(image, o).data();
    assertArrayEquals(plain, sg.gradient().data(), 1e-6f);
    assertEquals(0, sg.sigma());
    float top = 0;
    for (int p = 0; p < 36; p++) {
      float g0 = sg.gradient().data()[2 * p];
      float g1 = sg.gradient().data()[2 * p + 1];
      assertEquals(Math.max(Math.abs(g0), Math.abs(g1)), sg.map().data()[p], 0f);
      top = Math.max(top, sg.scaled().data()[p]);
    }
    assertEquals(1f, top, 1e-6f);
    float[] logits = model.activations(image, List.of("logits")).get("logits").data();
    assertEquals(logits[2], sg.score(), 1e-5);
  }

  @Test
  void theDefaultClassIsTheTopOneAtTheImage() {
    float[] p = model.activations(image, List.of("probs")).get("probs").data();
    int top = 0;
    for (int k = 1; k < 3; k++) {
      top = p[k] > p[top] ? k : top;
    }
    assertEquals(top, InputAttribution.of(model).smoothGrad(image, AttributionOptions.defaults().withSamples(2))
        .classIndex());
  }

  @Test
  void badOptionsAndACancelledTokenAreRefused() {
    assertThrows(InvalidInputException.class, () -> AttributionOptions.defaults().withSamples(0));
    assertThrows(InvalidInputException.class, () -> AttributionOptions.defaults().withNoiseLevel(-0.1));
    assertThrows(InvalidInputException.class, () -> AttributionOptions.defaults().withNoiseLevel(Double.NaN));
    Cancellation c = Cancellation.token();
    c.cancel();
    assertThrows(CancelledException.class, () -> InputAttribution.of(model).smoothGrad(image,
        AttributionOptions.defaults().withCancellation(c)));
  }
}
