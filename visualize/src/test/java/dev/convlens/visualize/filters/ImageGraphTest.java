package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.spi.ModelRun;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The picture ops against their definitions: numpy's irfft2, the Java resampling, and finite differences. */
class ImageGraphTest {
  private static final int H = 8;
  private static final int W = 6;
  private static final int WF = W / 2 + 1;

  private static ImageGraph graph(KerasModel m, Parameterization.Kind kind, boolean decorrelated, boolean transforms,
      Preprocessing p) {
    int levels = kind == Parameterization.Kind.LAPLACIAN_PYRAMID ? 3 : 1;
    return ImageGraph.of(m, new ImageGraph.Spec(kind, levels, decorrelated, H, W, 3, transforms, ColorMap.of(p, 3)));
  }

  @Test
  void oneFrequencyIsTheCosineNumpysIrfft2Gives() {
    // Spectrum 1 at (u, v) = (1, 2), channel 0 of image 1 of 2: irfft2 of a single bin is
    // c_v cos(2 pi (u y / H + v x / W)) / (H W), c_v = 2 (not the constant nor Nyquist column);
    // Lucid scales the bin by sqrt(HW) / |f| and divides the image by 4. Picture = sigmoid of that.
    try (KerasModel m = FeatureVisualizerTest.model(H, W)) {
      ImageGraph g = graph(m, Parameterization.Kind.FOURIER, false, false, Preprocessing.NONE);
      int k = 2;
      float[] re = new float[H * k * 3 * WF];
      re[((1 * k + 1) * 3 + 0) * WF + 2] = 1;
      long[] shape = {H, k * 3, WF};
      float[] picture = m.graph().newRun().feed(g.params()[0], new FloatTensor(shape, re))
          .feed(g.params()[1], new FloatTensor(shape, new float[re.length])).fetch(g.picture()).run().get(0).data();
      double f = Math.sqrt(Math.pow(1.0 / H, 2) + Math.pow(2.0 / W, 2));
      double amplitude = Math.sqrt(H * W) / f / 4 * 2 / (H * W);
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          double t = amplitude * Math.cos(2 * Math.PI * (y / (double) H + 2.0 * x / W));
          assertEquals(1 / (1 + Math.exp(-t)), picture[((1 * H + y) * W + x) * 3], 1e-6, y + "," + x);
          assertEquals(0.5, picture[((1 * H + y) * W + x) * 3 + 1], 1e-7);
          assertEquals(0.5, picture[((0 * H + y) * W + x) * 3], 1e-7);
        }
      }
    }
  }

  @Test
  void theTransformIsTheJavaResamplingOfEachImage() {
    try (KerasModel m = FeatureVisualizerTest.model(H, W)) {
      ImageGraph g = graph(m, Parameterization.Kind.PIXELS, false, true, Preprocessing.NONE);
      int k = 3;
      SplittableRandom r = new SplittableRandom(5);
      float[] params = new float[k * H * W * 3];
      for (int i = 0; i < params.length; i++) {
        params[i] = (float) r.nextGaussian();
      }
      Transforms t = new Transforms(2, 0.8, 1.2, 30);
      float[] mapY = new float[k * 3];
      float[] mapX = new float[k * 3];
      Transforms.Draw[] draws = new Transforms.Draw[k];
      for (int i = 0; i < k; i++) {
        draws[i] = t.draw(r);
        float[] map = draws[i].sourceMap(H, W);
        System.arraycopy(map, 0, mapY, i * 3, 3);
        System.arraycopy(map, 3, mapX, i * 3, 3);
      }
      List<FloatTensor> out = m.graph().newRun().feed(g.params()[0], new FloatTensor(new long[] {k, H, W, 3}, params))
          .feed(g.mapY(), new FloatTensor(new long[] {k, 3}, mapY)).feed(g.mapX(), new FloatTensor(new long[] {k, 3}, mapX))
          .fetch(g.picture()).fetch(g.input()).run();
      float[] picture = out.get(0).data();
      float[] input = out.get(1).data();
      int per = H * W * 3;
      for (int i = 0; i < k; i++) {
        float[] one = new float[per];
        System.arraycopy(picture, i * per, one, 0, per);
        float[] expected = draws[i].apply(one, H, W, 3);
        float[] got = new float[per];
        System.arraycopy(input, i * per, got, 0, per);
        for (int j = 0; j < per; j++) {
          expected[j] *= 255;
        }
        assertArrayEquals(expected, got, 1e-3f, "image " + i + " " + draws[i]);
      }
    }
  }

  /** The backward ops against central differences of the forward ones, for every parameterization. */
  @Test
  void theParameterGradientIsTheChainRuleOfTheForwardOps() {
    for (Parameterization.Kind kind : Parameterization.Kind.values()) {
      for (boolean decorrelated : new boolean[] {false, true}) {
        try (KerasModel m = FeatureVisualizerTest.model(H, W)) {
          ImageGraph g = graph(m, kind, decorrelated, true, Preprocessing.CAFFE);
          int k = 2;
          SplittableRandom r = new SplittableRandom(9);
          float[][] p = new float[g.params().length][];
          float[][] d = new float[g.params().length][];
          for (int j = 0; j < p.length; j++) {
            int n = (int) count(shape(g, j, k));
            p[j] = new float[n];
            d[j] = new float[n];
            for (int i = 0; i < n; i++) {
              p[j][i] = (float) (0.3 * r.nextGaussian());
              d[j][i] = (float) r.nextGaussian();
            }
          }
          float[] seed = new float[k * H * W * 3];
          for (int i = 0; i < seed.length; i++) {
            seed[i] = (float) r.nextGaussian();
          }
          float[] tvW = {0.7f, -1.3f};
          float[] l2W = {2f, 0.5f};
          float[] maps = Transforms.Draw.IDENTITY.sourceMap(H, W);
          float[] mapY = {maps[0], maps[1], maps[2], 0.9f, 0.1f, 0.3f};
          float[] mapX = {maps[3], maps[4], maps[5], -0.1f, 0.9f, 0.2f};
          ModelRun back = feed(m, g, kind, k, p, mapY, mapX).feed(g.dInput(), new FloatTensor(new long[] {k, H, W, 3}, seed))
              .feed(g.tvWeight(), FloatTensor.of(tvW, k)).feed(g.l2Weight(), FloatTensor.of(l2W, k));
          for (var grad : g.paramGradients()) {
            back.fetch(grad);
          }
          List<FloatTensor> grads = back.run();
          double analytic = 0;
          for (int j = 0; j < p.length; j++) {
            float[] gj = grads.get(j).data();
            for (int i = 0; i < gj.length; i++) {
              analytic += (double) gj[i] * d[j][i];
            }
          }
          double eps = 1e-2;
          double numeric = (scalar(m, g, kind, k, shift(p, d, eps), mapY, mapX, seed, tvW, l2W)
              - scalar(m, g, kind, k, shift(p, d, -eps), mapY, mapX, seed, tvW, l2W)) / (2 * eps);
          assertEquals(numeric, analytic, 2e-3 * Math.max(1, Math.abs(numeric)), kind + " decorrelated " + decorrelated);
        }
      }
    }
  }

  /** {@code <input, seed> + tvW . tv + l2W . l2}, whose gradient the backward ops compute. */
  private static double scalar(KerasModel m, ImageGraph g, Parameterization.Kind kind, int k, float[][] p, float[] mapY,
      float[] mapX, float[] seed, float[] tvW, float[] l2W) {
    List<FloatTensor> out = feed(m, g, kind, k, p, mapY, mapX).fetch(g.input()).fetch(g.totalVariation()).fetch(g.l2()).run();
    double s = 0;
    float[] in = out.get(0).data();
    for (int i = 0; i < in.length; i++) {
      s += (double) in[i] * seed[i];
    }
    for (int i = 0; i < k; i++) {
      s += tvW[i] * out.get(1).data()[i] + l2W[i] * out.get(2).data()[i];
    }
    return s;
  }

  private static ModelRun feed(KerasModel m, ImageGraph g, Parameterization.Kind kind, int k, float[][] p, float[] mapY,
      float[] mapX) {
    ModelRun run = m.graph().newRun();
    for (int j = 0; j < p.length; j++) {
      run.feed(g.params()[j], new FloatTensor(shape(g, j, k), p[j]));
    }
    return run.feed(g.mapY(), new FloatTensor(new long[] {k, 3}, mapY)).feed(g.mapX(), new FloatTensor(new long[] {k, 3}, mapX));
  }

  private static long[] shape(ImageGraph g, int j, int k) {
    if (g.spec().kind() == Parameterization.Kind.FOURIER) {
      return new long[] {H, k * 3, WF};
    }
    int[] size = g.spec().levelSizes()[j];
    return new long[] {k, size[0], size[1], 3};
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  private static float[][] shift(float[][] p, float[][] d, double eps) {
    float[][] out = new float[p.length][];
    for (int j = 0; j < p.length; j++) {
      out[j] = new float[p[j].length];
      for (int i = 0; i < p[j].length; i++) {
        out[j][i] = (float) (p[j][i] + eps * d[j][i]);
      }
    }
    return out;
  }
}
