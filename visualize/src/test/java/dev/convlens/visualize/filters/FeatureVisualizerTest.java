package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.keras.WeightArray;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The engine on a model known by hand: input H x W x 3 (raw 0..255), a 1x1 ReLU convolution
 * {@code c} with channel 0 = R/255, 1 = G/255, 2 = relu(-1) (dead: zero value and gradient
 * everywhere), 3 = relu((R+G+B)/255 - 1); a global average pool and a softmax Dense {@code d}
 * with logits {@code z_j = sum_c gap_c K[c][j] + b_j}.
 */
class FeatureVisualizerTest {
  private static final float[][] DENSE = {{1, -1}, {2, 0.5f}, {0, 0}, {-1, 3}};
  private static final float[] DENSE_BIAS = {0.25f, -0.5f};

  static KerasModel model(int h, int w) {
    var fixture = FixtureBuilder.functional("hand").input("in", h, w, 3).conv2d("c", 4, 1, "valid", "relu")
        .globalAvgPool("g").dense("d", 2, "softmax").build();
    float[] kernel = new float[3 * 4];
    kernel[0 * 4 + 0] = 1 / 255f;
    kernel[1 * 4 + 1] = 1 / 255f;
    for (int i = 0; i < 3; i++) {
      kernel[i * 4 + 3] = 1 / 255f;
    }
    float[] bias = {0, 0, -1, -1};
    float[] dense = new float[8];
    for (int c = 0; c < 4; c++) {
      dense[c * 2] = DENSE[c][0];
      dense[c * 2 + 1] = DENSE[c][1];
    }
    List<WeightArray> conv = List.of(new WeightArray("kernel:0", FloatTensor.of(kernel, 1, 1, 3, 4)),
        new WeightArray("bias:0", FloatTensor.of(bias, 4)));
    List<WeightArray> d = List.of(new WeightArray("kernel:0", FloatTensor.of(dense, 4, 2)),
        new WeightArray("bias:0", FloatTensor.of(DENSE_BIAS.clone(), 2)));
    return KerasModel.fromConfig(fixture.modelConfig().toString(),
        (path, cls, expected) -> path.equals(List.of("c")) ? conv : path.equals(List.of("d")) ? d : List.of(),
        LoadOptions.defaults());
  }

  private static FeatureOptions quick() {
    return FeatureOptions.defaults().withSteps(20).withTransforms(Transforms.standard().withJitter(1));
  }

  @Test
  void channelObjectivesRiseAndTheModelSeesThePicture() {
    try (KerasModel m = model(8, 6)) {
      List<FeatureResult> rs = FeatureVisualizer.of(m).renderChannels("c", List.of(0, 1, 3), quick(), null);
      for (FeatureResult r : rs) {
        assertEquals(20, r.values().size());
        assertTrue(r.finalValue() > r.values().get(0) + 0.02, r.objective() + ": " + r.values().get(0) + " -> " + r.finalValue());
        assertFalse(r.dead());
        float[] px = r.pixels().data();
        float[] in = r.input().data();
        for (int i = 0; i < px.length; i++) {
          assertTrue(px[i] >= 0 && px[i] <= 255);
          assertEquals(px[i], in[i], 1e-3, "preprocessing NONE feeds the 0..255 picture");
        }
      }
      // channel 0 = mean R / 255: the final value is the picture's mean red, by hand
      float[] px = rs.get(0).pixels().data();
      double red = 0;
      for (int i = 0; i < px.length; i += 3) {
        red += px[i] / 255.0;
      }
      assertEquals(red / (px.length / 3), rs.get(0).finalValue(), 1e-5);
    }
  }

  @Test
  void aDeadChannelIsReportedAfterItsRetriesAndLeftAlone() {
    try (KerasModel m = model(8, 6)) {
      FeatureOptions o = quick().withDeadRetries(2).withRetryImages(List.of(gray(8, 6, 200)));
      List<FeatureResult> rs = FeatureVisualizer.of(m).renderChannels("c", List.of(2, 0), o, null);
      FeatureResult dead = rs.get(0);
      assertTrue(dead.dead());
      assertEquals(4, dead.starts(), "the start, two larger noises, one retry image");
      // the last start was the retry image, and nothing moved it
      float[] px = dead.pixels().data();
      for (float v : px) {
        assertEquals(200, v, 0.05);
      }
      assertFalse(rs.get(1).dead());
      assertEquals(1, rs.get(1).starts());
    }
  }

  @Test
  void theClassLogitIsTheScoreBeforeTheSoftmax() {
    try (KerasModel m = model(8, 6)) {
      FeatureResult r = FeatureVisualizer.of(m).render(Objective.classLogit(1), quick());
      float[] px = r.input().data();
      double[] gap = new double[4];
      for (int i = 0; i < px.length; i += 3) {
        double red = px[i] / 255.0;
        double green = px[i + 1] / 255.0;
        gap[0] += red;
        gap[1] += green;
        gap[3] += Math.max(0, (px[i] + px[i + 1] + px[i + 2]) / 255.0 - 1);
      }
      double logit = DENSE_BIAS[1];
      for (int c = 0; c < 4; c++) {
        logit += gap[c] / (px.length / 3) * DENSE[c][1];
      }
      assertEquals(logit, r.finalValue(), 1e-4);
      assertTrue(r.finalValue() > r.values().get(0));
    }
  }

  @Test
  void picturePenaltiesAddTheirWeightedValues() {
    try (KerasModel m = model(8, 6)) {
      Objective o = Objective.channel("c", 0).minus(Objective.totalVariation().times(0.5)).plus(Objective.l2().times(2));
      FeatureResult r = FeatureVisualizer.of(m).render(o, quick());
      float[] px = r.pixels().data();
      double tvDown = 0;
      double tvAcross = 0;
      double l2 = 0;
      double red = 0;
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 6; x++) {
          for (int c = 0; c < 3; c++) {
            double v = px[(y * 6 + x) * 3 + c] / 255.0;
            l2 += (v - 0.5) * (v - 0.5);
            red += c == 0 ? v : 0;
            if (y < 7) {
              tvDown += Math.abs(px[((y + 1) * 6 + x) * 3 + c] / 255.0 - v);
            }
            if (x < 5) {
              tvAcross += Math.abs(px[(y * 6 + x + 1) * 3 + c] / 255.0 - v);
            }
          }
        }
      }
      double tv = tvDown / (7 * 6 * 3) + tvAcross / (8 * 5 * 3);
      double expected = red / 48 - 0.5 * tv + 2 * l2 / (8 * 6 * 3);
      assertEquals(expected, r.finalValue(), 1e-5);
      assertEquals("channel(c, 0) - 0.5 * totalVariation() + 2 * l2()", o.toString());
    }
  }

  @Test
  void equalSeedsGiveEqualPicturesInWholeLayerAndOneByOne() {
    try (KerasModel m = model(8, 6)) {
      FeatureVisualizer v = FeatureVisualizer.of(m);
      List<Integer> channels = List.of(0, 1, 3);
      List<FeatureResult> a = v.renderChannels("c", channels, quick().withSeed(7), null);
      List<FeatureResult> b = v.renderChannels("c", channels, quick().withSeed(7), null);
      List<FeatureResult> one = v.renderChannels("c", channels, quick().withSeed(7).withBatchSize(1), null);
      List<FeatureResult> other = v.renderChannels("c", channels, quick().withSeed(8), null);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(a.get(i).pixels().data(), b.get(i).pixels().data());
        assertArrayEquals(a.get(i).pixels().data(), one.get(i).pixels().data(), 1e-3f);
        assertFalse(java.util.Arrays.equals(a.get(i).pixels().data(), other.get(i).pixels().data()));
      }
    }
  }

  @Test
  void aStartPictureIsWhereTheOptimizationStartsInBothParameterizations() {
    for (Parameterization p : List.of(Parameterization.fourier(), Parameterization.pixels(), Parameterization.laplacianPyramid())) {
      for (int[] hw : new int[][] {{8, 6}, {5, 7}}) {
        try (KerasModel m = model(hw[0], hw[1])) {
          FloatTensor start = noise(hw[0], hw[1], 3);
          FeatureResult r = FeatureVisualizer.of(m).render(Objective.channel("c", 0),
              quick().withParameterization(p).withStartImage(start).withSnapshotEvery(5));
          assertEquals(5, r.snapshots().size(), "steps 0, 5, 10, 15 and the end");
          assertArrayEquals(start.data(), r.snapshots().get(0).data(), 2e-2f, p + " " + hw[0] + "x" + hw[1]);
        }
      }
    }
  }

  @Test
  void preprocessingIsTheKerasModeAppliedToThePicture() {
    try (KerasModel m = model(8, 6)) {
      FeatureResult r = FeatureVisualizer.of(m).render(Objective.channel("c", 0),
          quick().withPreprocessing(Preprocessing.CAFFE));
      FloatTensor expected = Preprocessing.CAFFE.apply(r.pixels());
      assertArrayEquals(expected.data(), r.input().data(), 2e-3f);
    }
  }

  @Test
  void badObjectivesAndOptionsAreNamed() {
    try (KerasModel m = model(8, 6)) {
      FeatureVisualizer v = FeatureVisualizer.of(m);
      FeatureOptions o = quick();
      assertTrue(assertThrows(InvalidInputException.class, () -> v.render(Objective.channel("c", 4), o))
          .getMessage().contains("channel 4 is out of range, layer 'c' has 4 channels"));
      assertTrue(assertThrows(InvalidInputException.class, () -> v.render(Objective.classLogit(2), o))
          .getMessage().contains("class 2 is out of range"));
      assertTrue(assertThrows(InvalidInputException.class, () -> v.render(Objective.direction("c", new float[3]), o))
          .getMessage().contains("the direction has 3 values, layer 'c' has 4 channels"));
      assertTrue(assertThrows(InvalidInputException.class, () -> v.render(Objective.channel("d", 0), o))
          .getMessage().contains("needs a 4-D"));
      assertTrue(assertThrows(InvalidInputException.class, () -> v.render(Objective.neuron("c", 0, 8, 0), o))
          .getMessage().contains("outside layer 'c'"));
      assertTrue(assertThrows(InvalidInputException.class, () -> v.render(Objective.totalVariation(), o))
          .getMessage().contains("no term on the model"));
      assertThrows(InvalidInputException.class, () -> v.render(Objective.channel("nope", 0), o));
      assertTrue(assertThrows(InvalidInputException.class, () -> v.render(Objective.channel("c", 0), o.withSize(16)))
          .getMessage().contains("fixed at 8x6"));
      assertTrue(assertThrows(InvalidInputException.class,
          () -> v.render(Objective.channel("c", 0), o.withStartImage(noise(6, 8, 3)))).getMessage().contains("does not fit"));
      assertThrows(InvalidInputException.class, () -> o.withSteps(0));
      assertThrows(InvalidInputException.class, () -> Objective.channel("c", 0).times(Double.NaN));
    }
  }

  @Test
  void neuronAndDirectionTermsReadWhatTheySay() {
    try (KerasModel m = model(8, 6)) {
      FeatureVisualizer v = FeatureVisualizer.of(m);
      FeatureResult n = v.render(Objective.neuron("c", 1, 2, 4), quick());
      float[] px = n.input().data();
      assertEquals(px[(2 * 6 + 4) * 3 + 1] / 255.0, n.finalValue(), 1e-5);
      FeatureResult d = v.render(Objective.direction("c", new float[] {2, -1, 0, 0}), quick());
      px = d.input().data();
      double s = 0;
      for (int i = 0; i < px.length; i += 3) {
        s += 2 * px[i] / 255.0 - px[i + 1] / 255.0;
      }
      assertEquals(s / 48, d.finalValue(), 1e-5);
      assertTrue(d.finalValue() > d.values().get(0));
    }
  }

  static FloatTensor gray(int h, int w, float value) {
    float[] x = new float[h * w * 3];
    java.util.Arrays.fill(x, value);
    return FloatTensor.of(x, h, w, 3);
  }

  static FloatTensor noise(int h, int w, int c) {
    SplittableRandom r = new SplittableRandom(3);
    float[] x = new float[h * w * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (20 + 215 * r.nextDouble());
    }
    return FloatTensor.of(x, h, w, c);
  }
}
