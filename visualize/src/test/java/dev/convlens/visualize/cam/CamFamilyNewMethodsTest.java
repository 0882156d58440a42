package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fixtures.TestArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * EigenGrad-CAM, eigen smoothing, Faster-Score-CAM, aug smoothing and a user's own method, against
 * values worked out by hand or by an independent path: tiny hand-made layers; and a fixture whose
 * layer {@code last} feeds GlobalAveragePooling2D -> Dense, where the logit's gradient is
 * {@code W[k, c] / HW} at every position, so gradient products are known from the weights; a
 * power iteration (not an SVD) gives the principal components.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CamFamilyNewMethodsTest {
  private static final double EPS = 1e-5;
  private KerasModelFixture fixture;
  private KerasModel model;
  private FloatTensor input;

  @BeforeAll
  void build() {
    fixture = FixtureBuilder.functional("extras").seed(11)
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

  private static LayerMaps maps(int positions, int channels, float[] a, float @Nullable [] g) {
    return new LayerMaps(1, positions, channels, a, g, 0, () -> {
      throw new AssertionError("no forward runs here");
    });
  }

  @Test
  void eigenGradCamProjectsTheGradientActivationProductsWithEigenCamsSignRule() {
    double s5 = Math.sqrt(5);
    // g*A rows [0,0], [1,2], [5,10]: centered [-2,-4], [-1,-2], [3,6], along [1,2]/sqrt5: kept.
    assertEigenGrad(new float[] {1, 1, 1, 1, 5, 5}, new float[] {0, 0, 1, 2, 1, 2},
        new double[] {-2 * s5, -s5, 3 * s5}, new double[] {1 / s5, 2 / s5});
    // g*A rows [0,0], [4,8], [5,10]: centered [-3,-6], [1,2], [2,4]: the negative side is larger, flipped.
    assertEigenGrad(new float[] {1, 1, 4, 4, 5, 5}, new float[] {0, 0, 1, 2, 1, 2},
        new double[] {3 * s5, -s5, -2 * s5}, new double[] {-1 / s5, -2 / s5});
  }

  private static void assertEigenGrad(float[] a, float[] g, double[] expectedRaw, double[] expectedWeights) {
    LayerMaps m = maps(3, 2, a, g);
    CamAlgorithm eg = new EigenGradCam();
    assertEquals(ScoreKind.LOGIT, eg.score());
    double[] w = eg.weights(m);
    assertArrayEquals(expectedWeights, w, EPS);
    float[] raw = eg.map(m, w);
    for (int p = 0; p < 3; p++) {
      assertEquals(expectedRaw[p], raw[p], EPS, "raw[" + p + "]");
    }
    assertArrayEquals(raw, eg.eigenSmoothedMap(m, w), 0f, "already a projection: eigen smoothing changes nothing");
  }

  @Test
  void eigenSmoothingProjectsTheWeightedActivationsInsteadOfSummingThem() {
    // A = [1,0], [0,1], [2,2]; pooled gradients w = [1, -1]; terms w_k A_k = [1,0], [0,-1], [2,-2].
    // Sum: [1, -1, 0]. Centered terms [0,1], [-1,0], [1,-1]; X^T X = [[2,-1],[-1,2]], top eigenvector
    // [1,-1]/sqrt2 (eigenvalue 3); projections [-1, -1, 2]/sqrt2, the positive side larger: kept.
    LayerMaps m = maps(3, 2, new float[] {1, 0, 0, 1, 2, 2}, new float[] {1, -1, 1, -1, 1, -1});
    CamAlgorithm gradCam = new KerasGradCam();
    double[] w = gradCam.weights(m);
    assertArrayEquals(new double[] {1, -1}, w, 1e-9);
    assertArrayEquals(new float[] {1, -1, 0}, gradCam.map(m, w), 1e-6f);
    double r2 = Math.sqrt(2);
    float[] smooth = gradCam.eigenSmoothedMap(m, w);
    assertArrayEquals(new float[] {(float) (-1 / r2), (float) (-1 / r2), (float) r2}, smooth, 1e-5f);
    // HiResCAM smooths its own terms g_k A_k: here the same as w_k A_k since g is constant.
    assertArrayEquals(smooth, new HiResCam().eigenSmoothedMap(m, new HiResCam().weights(m)), 1e-6f);
  }

  /** Before GAP -> Dense: the logit gradient is W[k, c] / HW everywhere, so g*A and w_k A_k are both W[k,c]/16 * A. */
  @Test
  void eigenGradCamAndEigenSmoothedGradCamAreThePowerIterationProjectionBeforeGapAndDense() {
    float[] kernel = fixture.weights(List.of("dense")).get(0).value().data(); // [5, 3]
    FloatTensor a = model.activations(input, List.of("last")).get("last");
    CamOptions at = CamOptions.defaults().withLayer("last");
    List<Heatmap> eigenGrad = CamExplainer.of(model, at.withMethod(CamMethod.EIGEN_GRAD_CAM)).explain(input);
    List<Heatmap> smoothed = CamExplainer.of(model, at.withMethod(CamMethod.GRAD_CAM).withEigenSmooth(true)).explain(input);
    List<Heatmap> plain = CamExplainer.of(model, at.withMethod(CamMethod.GRAD_CAM)).explain(input);
    for (int n = 0; n < 2; n++) {
      int c = plain.get(n).classIndex();
      double[][] terms = new double[16][5];
      for (int p = 0; p < 16; p++) {
        for (int k = 0; k < 5; k++) {
          terms[p][k] = kernel[k * 3 + c] / 16.0 * a.data()[(n * 16 + p) * 5 + k];
        }
      }
      double[] expected = powerIterationProjection(terms);
      double scale = Arrays.stream(expected).map(Math::abs).max().orElse(0);
      assertTrue(scale > 1e-6, "the projection is zero: nothing is checked");
      float[] eg = eigenGrad.get(n).raw().data();
      float[] es = smoothed.get(n).raw().data();
      for (int p = 0; p < 16; p++) {
        assertEquals(expected[p], eg[p], 1e-4 * scale, "EigenGrad-CAM image " + n + " position " + p);
        assertEquals(expected[p], es[p], 1e-4 * scale, "eigen-smoothed Grad-CAM image " + n + " position " + p);
      }
      assertArrayEquals(plain.get(n).weights().data(), smoothed.get(n).weights().data(), 0f, "smoothing keeps the weights");
    }
  }

  /** Centered rows projected on the top eigenvector of X^T X, found by power iteration, with the |min| > |max| flip. */
  private static double[] powerIterationProjection(double[][] rows) {
    int k = rows[0].length;
    double[][] x = new double[rows.length][];
    for (int p = 0; p < rows.length; p++) {
      x[p] = rows[p].clone();
    }
    for (int j = 0; j < k; j++) {
      double mean = 0;
      for (double[] r : x) {
        mean += r[j];
      }
      mean /= x.length;
      for (double[] r : x) {
        r[j] -= mean;
      }
    }
    double[] v = new double[k];
    Arrays.fill(v, 1);
    for (int it = 0; it < 2000; it++) {
      double[] next = new double[k];
      for (double[] r : x) {
        double d = 0;
        for (int j = 0; j < k; j++) {
          d += r[j] * v[j];
        }
        for (int j = 0; j < k; j++) {
          next[j] += r[j] * d;
        }
      }
      double norm = Math.sqrt(Arrays.stream(next).map(t -> t * t).sum());
      for (int j = 0; j < k; j++) {
        v[j] = next[j] / norm;
      }
    }
    double[] proj = new double[x.length];
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int p = 0; p < x.length; p++) {
      for (int j = 0; j < k; j++) {
        proj[p] += x[p][j] * v[j];
      }
      min = Math.min(min, proj[p]);
      max = Math.max(max, proj[p]);
    }
    if (Math.abs(min) > Math.abs(max)) {
      for (int p = 0; p < proj.length; p++) {
        proj[p] = -proj[p];
      }
    }
    return proj;
  }

  @Test
  void fasterScoreCamIsScoreCamWhenNCoversEveryChannel() {
    CamOptions at = CamOptions.defaults().withLayer("target").withScoreCamBatchSize(4);
    List<Heatmap> score = CamExplainer.of(model, at.withMethod(CamMethod.SCORE_CAM)).explain(input);
    List<Heatmap> faster = CamExplainer.of(model, at.withMethod(CamMethod.FASTER_SCORE_CAM).withFasterScoreCamChannels(6))
        .explain(input);
    for (int n = 0; n < 2; n++) {
      assertArrayEquals(score.get(n).weights().data(), faster.get(n).weights().data(), 0f, "image " + n);
      assertArrayEquals(score.get(n).raw().data(), faster.get(n).raw().data(), 0f, "image " + n);
    }
  }

  @Test
  void fasterScoreCamKeepsScoreCamsWeightsOfTheTopNVarianceChannelsAndZeroesTheRest() {
    int n = 2;
    CamOptions at = CamOptions.defaults().withLayer("target").withScoreCamBatchSize(4);
    List<Heatmap> score = CamExplainer.of(model, at.withMethod(CamMethod.SCORE_CAM)).explain(input);
    List<CamProgress> events = new ArrayList<>();
    List<Heatmap> faster = CamExplainer.of(model, at.withMethod(CamMethod.FASTER_SCORE_CAM).withFasterScoreCamChannels(n)
        .withListener(events::add)).explain(input);
    FloatTensor a = model.activations(input, List.of("target")).get("target");
    for (int img = 0; img < 2; img++) {
      double[] variance = new double[6];
      for (int k = 0; k < 6; k++) {
        double[] v = new double[64];
        for (int p = 0; p < 64; p++) {
          v[p] = a.data()[(img * 64 + p) * 6 + k];
        }
        double mean = Arrays.stream(v).average().orElseThrow();
        variance[k] = Arrays.stream(v).map(t -> (t - mean) * (t - mean)).sum();
      }
      int[] top = IntStream.range(0, 6).boxed().sorted(Comparator.comparingDouble(k -> -variance[k]))
          .limit(n).mapToInt(Integer::intValue).toArray();
      float[] ws = score.get(img).weights().data();
      float[] wf = faster.get(img).weights().data();
      for (int k = 0; k < 6; k++) {
        final int channel = k;
        boolean kept = Arrays.stream(top).anyMatch(t -> t == channel);
        // Kept: Score-CAM's weight up to float noise of a different batch split; dropped: exactly 0.
        assertEquals(kept ? ws[k] : 0f, wf[k], kept ? 1e-6f : 0f, "image " + img + " channel " + k + (kept ? " (top)" : ""));
      }
      assertTrue(Arrays.stream(top).anyMatch(k -> ws[k] != 0), "the kept channels all weigh 0: nothing is checked");
    }
    // 1 baseline + N masks per image.
    assertEquals(new CamProgress(1 + 2 * n, 1 + 2 * n), events.get(events.size() - 1));
  }

  @Test
  void augSmoothingIsTheMeanOfTheMirroredAndScaledImagesMapsMirroredBack() {
    for (CamMethod method : List.of(CamMethod.GRAD_CAM, CamMethod.ABLATION_CAM, CamMethod.EIGEN_CAM)) {
      CamOptions plainOptions = CamOptions.defaults().withMethod(method).withLayer("target");
      CamExplainer plain = CamExplainer.of(model, plainOptions);
      List<Heatmap> smooth = CamExplainer.of(model, plainOptions.withAugSmooth(true)).explain(input);
      for (int n = 0; n < 2; n++) {
        FloatTensor x = input.slice(n);
        Heatmap base = plain.explain(x).get(0);
        int c = base.classIndex();
        double[] mean = new double[64];
        for (boolean mirror : new boolean[] {false, true}) {
          for (float factor : new float[] {0.9f, 1f, 1.1f}) {
            float[] m = plain.explain(augmented(x, mirror, factor), new int[] {c}).get(0).normalized().data();
            for (int y = 0; y < 8; y++) {
              for (int xx = 0; xx < 8; xx++) {
                mean[y * 8 + xx] += m[y * 8 + (mirror ? 7 - xx : xx)] / 6.0;
              }
            }
          }
        }
        Heatmap h = smooth.get(n);
        assertEquals(c, h.classIndex());
        assertArrayEquals(base.predictions().data(), h.predictions().data(), 1e-6f);
        double max = Arrays.stream(mean).max().orElseThrow();
        assertTrue(max > 0, method + ": all maps are zero, nothing is checked");
        for (int p = 0; p < 64; p++) {
          assertEquals(mean[p], h.raw().data()[p], 1e-5, method + " image " + n + " mean at " + p);
          assertEquals(mean[p] / max, h.normalized().data()[p], 1e-5, method + " image " + n + " normalized at " + p);
        }
        assertTrue(maxDifference(base.normalized().data(), h.normalized().data()) > 1e-3,
            method + ": smoothing changed nothing, the augmentations are not applied");
      }
    }
  }

  private static FloatTensor augmented(FloatTensor image, boolean mirror, float factor) {
    float[] d = image.data();
    float[] out = new float[d.length];
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 10; x++) {
        for (int c = 0; c < 3; c++) {
          out[(y * 10 + x) * 3 + c] = d[(y * 10 + (mirror ? 9 - x : x)) * 3 + c] * factor;
        }
      }
    }
    return FloatTensor.of(out, 10, 10, 3);
  }

  private static double maxDifference(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  /** A user's method: the largest gradient of each channel; before GAP -> Dense that is W[k, c] / 16. */
  @Test
  void aUserMethodWeighsChannelsByTheirLargestGradient() {
    CustomCam maxGradient = CustomCam.of(CustomCam.Score.LOGIT, layer -> {
      double[] w = new double[layer.channels()];
      for (int k = 0; k < w.length; k++) {
        w[k] = Double.NEGATIVE_INFINITY;
        for (int y = 0; y < layer.height(); y++) {
          for (int x = 0; x < layer.width(); x++) {
            w[k] = Math.max(w[k], layer.gradient(y, x, k));
          }
        }
      }
      return w;
    });
    float[] kernel = fixture.weights(List.of("dense")).get(0).value().data();
    float[] a = model.activations(input, List.of("last")).get("last").data();
    List<Heatmap> maps = CamExplainer.of(model, CamOptions.defaults().withLayer("last").withCustomMethod(maxGradient))
        .explain(input, new int[] {2, 0});
    for (int n = 0; n < 2; n++) {
      int c = n == 0 ? 2 : 0;
      for (int k = 0; k < 5; k++) {
        assertEquals(kernel[k * 3 + c] / 16.0, maps.get(n).weights().data()[k], 1e-6, "image " + n + " channel " + k);
      }
      for (int p = 0; p < 16; p++) {
        double sum = 0;
        for (int k = 0; k < 5; k++) {
          sum += kernel[k * 3 + c] / 16.0 * a[(n * 16 + p) * 5 + k];
        }
        assertEquals(sum, maps.get(n).raw().data()[p], 1e-5, "image " + n + " position " + p);
      }
    }
  }

  @Test
  void aUserMethodIsCheckedAndAGradientFreeOneHasNoGradients() {
    CustomCam tooFew = CustomCam.of(CustomCam.Score.LOGIT, layer -> new double[1]);
    CamExplainer bad = CamExplainer.of(model, CamOptions.defaults().withCustomMethod(tooFew));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> bad.explain(input));
    assertTrue(e.getMessage().contains("1 weights") && e.getMessage().contains("5 channels"), e.getMessage());

    class MeanActivation extends CustomCam {
      MeanActivation() {
        super(Score.NONE);
      }

      @Override
      public double[] weights(Layer layer) {
        assertThrows(IllegalStateException.class, () -> layer.gradient(0, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> layer.activation(layer.height(), 0, 0));
        double[] w = new double[layer.channels()];
        for (int k = 0; k < w.length; k++) {
          for (int y = 0; y < layer.height(); y++) {
            for (int x = 0; x < layer.width(); x++) {
              w[k] += layer.activation(y, x, k) / (layer.height() * layer.width());
            }
          }
        }
        return w;
      }
    }
    float[] a = model.activations(input, List.of("last")).get("last").data();
    Heatmap h = CamExplainer.of(model, CamOptions.defaults().withLayer("last").withCustomMethod(new MeanActivation()))
        .explain(input).get(1);
    for (int k = 0; k < 5; k++) {
      double mean = 0;
      for (int p = 0; p < 16; p++) {
        mean += a[(16 + p) * 5 + k] / 16.0;
      }
      assertEquals(mean, h.weights().data()[k], 1e-6, "channel " + k);
    }
    // withMethod goes back to a built-in.
    assertEquals(null, CamOptions.defaults().withCustomMethod(tooFew).withMethod(CamMethod.GRAD_CAM).customMethod());
  }
}
