package dev.convlens.visualize.filters;

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
import dev.convlens.bridge.keras.WeightArray;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The quality numbers on a model whose activations are known by hand: input 4x4x2, a 1x1 linear
 * Conv2D {@code c} with 4 filters and no bias, so each channel's activation is a weighted mean of
 * the input channels' means: ch0 = mean(x0), ch1 = mean(x1), ch2 = (mean(x0) + mean(x1)) / 2,
 * ch3 = -mean(x0) - mean(x1). Reference images A (x0 = 2, x1 = 0) and B (x0 = 0, x1 = 4) give
 * activations (2, 0, 1, -2) and (0, 4, 2, -4): maxima (2, 4, 2, -2), ch3 never positive.
 */
class FeatureQualityTest {
  private static final int H = 4;
  private static final int W = 4;
  private static KerasModel model;
  private static ChannelMaxima maxima;

  /** x0 = 1.5 + column (means 3), x1 = 1: activations (3, 1, 2, -4). */
  private static final FloatTensor V = image((y, x) -> 1.5f + x, (y, x) -> 1f);

  @BeforeAll
  static void build() {
    model = hand("hand", 4);
    maxima = ChannelMaxima.of(model, "c", List.of(constant(2, 0), constant(0, 4)), QualityOptions.defaults());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static KerasModel hand(String name, int filters) {
    var fixture = FixtureBuilder.functional(name).input("in", H, W, 2).conv2d("c", filters, 1, "valid", "linear")
        .flatten("f").build();
    float[] k = new float[2 * filters]; // HWIO [1, 1, 2, filters]: k[in * filters + out]
    float[][] weights = {{1, 0}, {0, 1}, {0.5f, 0.5f}, {-1, -1}};
    for (int out = 0; out < filters; out++) {
      k[out] = weights[out % 4][0];
      k[filters + out] = weights[out % 4][1];
    }
    List<WeightArray> conv = List.of(new WeightArray("kernel:0", FloatTensor.of(k, 1, 1, 2, filters)),
        new WeightArray("bias:0", FloatTensor.of(new float[filters], filters)));
    return KerasModel.fromConfig(fixture.modelConfig().toString(),
        (path, cls, expected) -> path.equals(List.of("c")) ? conv : List.of(), LoadOptions.defaults());
  }

  interface Pixel {
    float at(int y, int x);
  }

  static FloatTensor image(Pixel x0, Pixel x1) {
    float[] d = new float[H * W * 2];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        d[(y * W + x) * 2] = x0.at(y, x);
        d[(y * W + x) * 2 + 1] = x1.at(y, x);
      }
    }
    return FloatTensor.of(d, H, W, 2);
  }

  static FloatTensor constant(float x0, float x1) {
    return image((y, x) -> x0, (y, x) -> x1);
  }

  @Test
  void maximaAreTheLargestChannelMeansOverTheDataset() {
    assertEquals("c", maxima.layer());
    assertEquals(2, maxima.imageCount());
    assertEquals(4, maxima.channels());
    assertEquals(2.0, maxima.max(0));
    assertEquals(4.0, maxima.max(1));
    assertEquals(2.0, maxima.max(2));
    assertEquals(-2.0, maxima.max(3), "a channel negative on every image keeps its (negative) maximum");
    // one image per run gives the same maxima
    ChannelMaxima oneByOne = ChannelMaxima.of(model, "c", List.of(constant(2, 0), constant(0, 4)),
        QualityOptions.defaults().withBatchSize(1));
    for (int c = 0; c < 4; c++) {
      assertEquals(maxima.max(c), oneByOne.max(c));
    }
  }

  @Test
  void activationRatioAndSelectivityByHand() {
    QualityOptions still = QualityOptions.defaults().withTransforms(Transforms.none());
    // V: activations (3, 1, 2, -4); r = act / max = (1.5, 0.25, 1.0, -), ch3 left out (max <= 0)
    List<FeatureQuality> q = FeatureQuality.measureAll(model, maxima, List.of(0, 1, 2, 3), List.of(V, V, V, V), still);
    assertEquals(new FeatureQuality(1.5, 1.0, 1.5 / ((0.25 + 1.0) / 2)), q.get(0)); // 2.4
    assertEquals(new FeatureQuality(0.25, 1.0, 0.25 / ((1.5 + 1.0) / 2)), q.get(1)); // 0.2
    assertEquals(1.0, q.get(2).activationRatio());
    assertEquals(1.0 / ((1.5 + 0.25) / 2), q.get(2).selectivity(), 1e-15);
    assertEquals(new FeatureQuality(0, 0, 0), q.get(3), "activation -4 <= 0: ratio 0 (max <= 0), robustness 0, r = 0");
  }

  @Test
  void nonPositiveDenominatorsGiveInfinityOrZeroNeverNaN() {
    // x0 = x1 = -1: activations (-1, -1, -1, 2); ch3's max is -2 and the others' mean r is negative
    FloatTensor negative = constant(-1, -1);
    FeatureQuality q = FeatureQuality.measure(model, maxima, 3, negative, QualityOptions.defaults());
    assertEquals(new FeatureQuality(Double.POSITIVE_INFINITY, 1.0, Double.POSITIVE_INFINITY), q);
    FeatureQuality dead = FeatureQuality.measure(model, maxima, 0, negative, QualityOptions.defaults());
    assertEquals(-0.5, dead.activationRatio());
    assertEquals(0, dead.robustness(), "activation -1 <= 0: robustness 0");
    assertEquals(0, dead.selectivity(), "others' mean r (-0.375) <= 0 and r(0) = -0.5 is not > 0");
  }

  @Test
  void robustnessIsExactlyOneForIdentityMovesAndForAConstantImage() {
    FeatureQuality still = FeatureQuality.measure(model, maxima, 0, V, QualityOptions.defaults()
        .withTransforms(Transforms.none()).withSamples(3));
    assertEquals(1.0, still.robustness());
    // a constant power of two stays bit-identical under bilinear resampling with repeated edges
    FeatureQuality flat = FeatureQuality.measure(model, maxima, 1, constant(0.5f, 2), QualityOptions.defaults()
        .withTransforms(new Transforms(3, 0.5, 2, 45)).withSamples(16).withSeed(7));
    assertEquals(1.0, flat.robustness());
  }

  @Test
  void robustnessIsTheMeanActivationKeptUnderTheSeededMoves() {
    // x0 = a ramp along y and x: shifts, scales and rotations with repeated edges change its mean
    FloatTensor ramp = image((y, x) -> 1 + 2 * y + x, (y, x) -> 0);
    Transforms moves = new Transforms(2, 0.8, 1.2, 30);
    QualityOptions options = QualityOptions.defaults().withTransforms(moves).withSamples(5).withSeed(11);
    // expected: ch0 = mean(x0) of each moved copy, the moves drawn from a SplittableRandom(seed)
    double own = mean0(ramp.data());
    SplittableRandom random = new SplittableRandom(11);
    double sum = 0;
    for (int s = 0; s < 5; s++) {
      sum += mean0(moves.draw(random).apply(ramp.data(), H, W, 2)) / own;
    }
    FeatureQuality q = FeatureQuality.measure(model, maxima, 0, ramp, options);
    assertEquals(sum / 5, q.robustness(), 1e-6);
    assertTrue(Math.abs(q.robustness() - 1) > 1e-3, "the ramp's moves change its mean: " + q.robustness());
    assertEquals(own / 2, q.activationRatio(), 1e-6);
  }

  private static double mean0(float[] hwc) {
    double s = 0;
    for (int i = 0; i < hwc.length; i += 2) {
      s += hwc[i];
    }
    return s / (hwc.length / 2);
  }

  @Test
  void batchesGiveTheSameNumbersAsOneImageAtATime() {
    FloatTensor ramp = image((y, x) -> 1 + 2 * y + x, (y, x) -> 3 - x);
    List<Integer> channels = List.of(0, 1, 2, 0, 3);
    List<FloatTensor> images = List.of(V, ramp, ramp, constant(1, 1), V);
    QualityOptions options = QualityOptions.defaults().withSamples(3).withSeed(3);
    List<FeatureQuality> batched = FeatureQuality.measureAll(model, maxima, channels, images, options.withBatchSize(7));
    List<FeatureQuality> all = FeatureQuality.measureAll(model, maxima, channels, images, options.withBatchSize(64));
    assertEquals(5, batched.size());
    for (int i = 0; i < 5; i++) {
      FeatureQuality alone = FeatureQuality.measure(model, maxima, channels.get(i), images.get(i), options.withBatchSize(1));
      assertEquals(alone, batched.get(i), "image " + i);
      assertEquals(alone, all.get(i), "image " + i);
    }
  }

  @Test
  void anOpenSizeModelTakesImagesOfDifferentSizesInOneCall() {
    var fixture = FixtureBuilder.functional("open").input("in", H, W, 2).conv2d("c", 4, 1, "valid", "linear").build();
    String config = fixture.modelConfig().toString().replace("[null,4,4,2]", "[null,null,null,2]");
    float[] k = {1, 0, 0.5f, -1, 0, 1, 0.5f, -1};
    List<WeightArray> conv = List.of(new WeightArray("kernel:0", FloatTensor.of(k, 1, 1, 2, 4)),
        new WeightArray("bias:0", FloatTensor.of(new float[4], 4)));
    try (KerasModel open = KerasModel.fromConfig(config, (path, cls, expected) -> path.equals(List.of("c")) ? conv : List.of(),
        LoadOptions.defaults())) {
      assertEquals(-1, open.inputShape()[1], "the config's input size is open: " + config);
      // a 2x3 image with x0 = 6, x1 = 0 and the 4x4 B (x0 = 0, x1 = 4): maxima (6, 4, 3, -4)
      FloatTensor small = FloatTensor.of(new float[] {6, 0, 6, 0, 6, 0, 6, 0, 6, 0, 6, 0}, 2, 3, 2);
      ChannelMaxima m = ChannelMaxima.of(open, "c", List.of(small, constant(0, 4)), QualityOptions.defaults());
      assertEquals(6.0, m.max(0));
      assertEquals(4.0, m.max(1));
      assertEquals(3.0, m.max(2));
      assertEquals(-4.0, m.max(3));
      QualityOptions still = QualityOptions.defaults().withTransforms(Transforms.none()).withSamples(2);
      List<FeatureQuality> q = FeatureQuality.measureAll(open, m, List.of(0, 1, 0), List.of(V, small, V), still);
      assertEquals(new FeatureQuality(3.0 / 6, 1.0, 0.5 / ((1.0 / 4 + 2.0 / 3) / 2)), q.get(0));
      assertEquals(new FeatureQuality(0, 0, 0), q.get(1), "small has x1 = 0: channel 1 is 0");
      assertEquals(q.get(0), q.get(2));
    }
  }

  @Test
  void badInputIsRefusedNamingTheArgument() {
    QualityOptions o = QualityOptions.defaults();
    refused(() -> ChannelMaxima.of(model, "nope", List.of(V), o), "nope");
    refused(() -> ChannelMaxima.of(model, "f", List.of(V), o), "'f'", "4-D");
    refused(() -> ChannelMaxima.of(model, "c", List.of(), o), "images", "empty");
    refused(() -> ChannelMaxima.of(model, "c", List.of(V, FloatTensor.of(new float[H * W * 3], H, W, 3)), o),
        "images[1]", "[4, 4, 2]");
    refused(() -> ChannelMaxima.of(model, "c", List.of(FloatTensor.of(new float[H * W * 2], 1, H, W, 2)), o),
        "images[0]", "[1, 4, 4, 2]");
    refused(() -> maxima.max(4), "channel 4", "0-3");
    refused(() -> FeatureQuality.measure(model, maxima, 4, V, o), "channel 4", "0-3");
    refused(() -> FeatureQuality.measure(model, maxima, -1, V, o), "channel -1");
    refused(() -> FeatureQuality.measureAll(model, maxima, List.of(0, 9), List.of(V, V), o), "channels[1] 9", "0-3");
    refused(() -> FeatureQuality.measure(model, maxima, 0, FloatTensor.of(new float[5 * W * 2], 5, W, 2), o),
        "image has shape [5, 4, 2]", "[4, 4, 2]");
    refused(() -> FeatureQuality.measureAll(model, maxima, List.of(0, 0), List.of(V, constant(0, 0).slice(0)), o),
        "images[1]", "[4, 2]");
    refused(() -> FeatureQuality.measure(model, maxima, 0, null, o), "image is null");
    refused(() -> FeatureQuality.measureAll(model, maxima, List.of(0, 1), List.of(V), o), "2 channels and 1 images");
    refused(() -> FeatureQuality.measure(model, maxima, 0, constant(Float.NaN, 0), o), "image", "NaN");
    try (KerasModel other = hand("other", 4); KerasModel narrower = hand("hand", 3)) {
      refused(() -> FeatureQuality.measure(other, maxima, 0, V, o), "'hand'", "'other'");
      refused(() -> FeatureQuality.measure(narrower, maxima, 0, V, o), "4 channels", "has 3");
    }
    refused(() -> o.withSamples(0), "samples");
    refused(() -> o.withBatchSize(0), "batchSize");
  }

  private static void refused(Executable call, String... mentions) {
    InvalidInputException e = assertThrows(InvalidInputException.class, call::execute);
    for (String m : mentions) {
      assertTrue(e.getMessage().contains(m), "message should mention " + m + ": " + e.getMessage());
    }
  }

  interface Executable {
    void execute() throws Throwable;
  }

  @Test
  void aCancelledTokenStopsBeforeAnyRunAndLeavesTheModelUsable() {
    Cancellation token = Cancellation.token();
    token.cancel();
    QualityOptions cancelled = QualityOptions.defaults().withCancellation(token);
    assertThrows(CancelledException.class, () -> FeatureQuality.measure(model, maxima, 0, V, cancelled));
    assertThrows(CancelledException.class, () -> ChannelMaxima.of(model, "c", List.of(V), cancelled));
    assertEquals(1.5, FeatureQuality.measure(model, maxima, 0, V, QualityOptions.defaults()).activationRatio());
  }
}
