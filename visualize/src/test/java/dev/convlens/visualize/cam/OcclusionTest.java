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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Occlusion against maps worked out here: the occluded images are built by hand, scored by a plain
 * forward pass, and each pixel gets the mean drop over the patches that cover it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OcclusionTest {
  private KerasModel model;
  private FloatTensor image;

  @BeforeAll
  void build() {
    KerasModelFixture f = FixtureBuilder.functional("occl").seed(5).input("image", 6, 6, 2)
        .conv2d("conv1", 4, 3, "same", "relu").flatten("flat").dense("logits", 3, "linear")
        .activation("probs", "softmax").build();
    model = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults());
    image = TestArrays.gaussian(2, 6, 6, 2);
  }

  @AfterAll
  void close() {
    model.close();
  }

  /** The map by hand for square patches at the given top-left corners (rows and columns alike). */
  private float[] expected(int[] starts, int patch, float fill, int c) {
    return expected(starts, patch, fill, "probs", c);
  }

  /** The same, scored on column {@code c} of {@code layer} (probs or logits). */
  private float[] expected(int[] starts, int patch, float fill, String layer, int c) {
    float[] x = image.data();
    List<FloatTensor> occluded = new ArrayList<>();
    occluded.add(image);
    for (int r0 : starts) {
      for (int c0 : starts) {
        float[] y = x.clone();
        for (int r = r0; r < r0 + patch; r++) {
          for (int q = c0; q < c0 + patch; q++) {
            y[(r * 6 + q) * 2] = fill;
            y[(r * 6 + q) * 2 + 1] = fill;
          }
        }
        occluded.add(FloatTensor.of(y, 6, 6, 2));
      }
    }
    float[] p = model.activations(FloatTensor.stack(occluded), List.of(layer)).get(layer).data();
    double[] sum = new double[36];
    int[] n = new int[36];
    int k = 1;
    for (int r0 : starts) {
      for (int c0 : starts) {
        for (int r = r0; r < r0 + patch; r++) {
          for (int q = c0; q < c0 + patch; q++) {
            sum[r * 6 + q] += p[c] - p[k * 3 + c];
            n[r * 6 + q]++;
          }
        }
        k++;
      }
    }
    float[] out = new float[36];
    for (int i = 0; i < 36; i++) {
      assertTrue(n[i] > 0, "pixel " + i + " is covered");
      out[i] = (float) (sum[i] / n[i]);
    }
    return out;
  }

  @Test
  void disjointPatchesGiveEachPixelItsPatchsDrop() {
    Occlusion o = InputAttribution.of(model).occlusion(image, AttributionOptions.defaults().withClassIndex(1)
        .withPatch(2, 2));
    assertArrayEquals(expected(new int[] {0, 2, 4}, 2, 0f, 1), o.map().data(), 1e-6f);
    assertEquals(9, o.occluded());
    assertEquals(model.activations(image, List.of("probs")).get("probs").data()[1], o.score(), 1e-6f);
  }

  @Test
  void overlappingPatchesAverageAndTheLastOneIsFlushWithTheEdge() {
    // 4 x 4 every 3 on 6 pixels: 0 and then 2 (3 + 4 would pass the edge), so rows 2-3 are covered twice.
    AttributionOptions o = AttributionOptions.defaults().withClassIndex(0).withPatch(4, 3).withFill(0.5f);
    Occlusion one = InputAttribution.of(model).occlusion(image, o.withBatchSize(1));
    Occlusion many = InputAttribution.of(model).occlusion(image, o.withBatchSize(16));
    float[] want = expected(new int[] {0, 2}, 4, 0.5f, 0);
    assertArrayEquals(want, one.map().data(), 1e-6f);
    assertArrayEquals(want, many.map().data(), 1e-6f);
    assertEquals(4, one.occluded());
    float spread = 0;
    for (float v : want) {
      spread = Math.max(spread, Math.abs(v - want[0]));
    }
    assertTrue(spread > 1e-4, "the map must vary for the test to mean anything");
  }

  @Test
  void aPatchLargerThanTheImageCoversItAllAndTheDefaultClassIsTheTopOne() {
    float[] p = model.activations(image, List.of("probs")).get("probs").data();
    int top = 0;
    for (int k = 1; k < 3; k++) {
      top = p[k] > p[top] ? k : top;
    }
    Occlusion o = InputAttribution.of(model).occlusion(image, AttributionOptions.defaults().withPatch(10, 4));
    assertEquals(top, o.classIndex());
    assertArrayEquals(expected(new int[] {0}, 6, 0f, top), o.map().data(), 1e-6f);
    assertEquals(1, o.occluded());
  }

  @Test
  void aLogitTargetIsScoredOnTheLogits() {
    Occlusion o = InputAttribution.of(model).occlusion(image, AttributionOptions.defaults().withTarget(Target.logit(2))
        .withPatch(3, 3));
    assertArrayEquals(expected(new int[] {0, 3}, 3, 0f, "logits", 2), o.map().data(), 1e-5f);
    assertEquals(2, o.classIndex());
    assertEquals(model.activations(image, List.of("logits")).get("logits").data()[2], o.score(), 1e-5f);
  }

  @Test
  void startsCoverEveryPixel() {
    assertEquals(List.of(0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136, 144, 152, 160,
        168, 176, 184, 192, 200, 208), PatchOcclusion.starts(224, 16, 8));
    assertEquals(List.of(0, 5, 7), PatchOcclusion.starts(10, 3, 5));
    assertEquals(List.of(0), PatchOcclusion.starts(4, 4, 1));
  }

  @Test
  void badOptionsAndACancelledTokenAreRefused() {
    assertThrows(InvalidInputException.class, () -> AttributionOptions.defaults().withPatch(0, 1));
    assertThrows(InvalidInputException.class, () -> AttributionOptions.defaults().withPatch(2, 0));
    assertThrows(InvalidInputException.class, () -> AttributionOptions.defaults().withFill(Float.NaN));
    assertThrows(InvalidInputException.class, () -> InputAttribution.of(model).occlusion(image,
        AttributionOptions.defaults().withClassIndex(3)));
    Cancellation c = Cancellation.token();
    c.cancel();
    assertThrows(CancelledException.class, () -> InputAttribution.of(model).occlusion(image,
        AttributionOptions.defaults().withPatch(2, 2).withCancellation(c)));
  }
}
