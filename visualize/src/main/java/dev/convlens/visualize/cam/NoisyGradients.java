package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * SmoothGrad's runs: the target's top class is decided at the image, then the noisy copies go through the
 * input-gradient op {@code batchSize} at a time. The noise is {@code new Random(seed).nextGaussian()
 * * sigma}, drawn copy after copy and value after value in {@code [H, W, C]} order, so the copies do
 * not depend on the batch size.
 */
final class NoisyGradients {
  private NoisyGradients() {}

  static SmoothGrad smoothGrad(KerasModel model, InputAttribution attr, FloatTensor x, AttributionOptions options) {
    InputOps ops = attr.ops();
    InputAttribution.Point top = attr.gradientAtImage(x, options);
    float[] xs = x.data();
    double sigma = options.noiseLevel() * range(xs);
    int samples = options.samples();
    Random noise = new Random(options.seed());
    double[] sum = new double[xs.length];
    for (int start = 0; start < samples; start += options.batchSize()) {
      int n = Math.min(options.batchSize(), samples - start);
      float[] points = new float[n * xs.length];
      for (int j = 0; j < n; j++) {
        for (int i = 0, off = j * xs.length; i < xs.length; i++) {
          points[off + i] = (float) (xs[i] + noise.nextGaussian() * sigma);
        }
      }
      RowTargets rows = RowTargets.of(ops.targets(), Collections.nCopies(n, top.target()), ScoreKind.LOGIT);
      List<FloatTensor> out = rows.feed(model.graph().newRun()
          .feedInput(new FloatTensor(Batches.shape(x, n), points))).fetch(ops.inputGradient())
          .cancellation(options.cancellation()).run();
      float[] g = out.get(0).data();
      for (int j = 0; j < n; j++) {
        for (int i = 0, off = j * xs.length; i < xs.length; i++) {
          sum[i] += g[off + i];
        }
      }
    }
    float[] mean = new float[xs.length];
    for (int i = 0; i < xs.length; i++) {
      mean[i] = (float) (sum[i] / samples);
    }
    int c = (int) x.dim(2);
    float[] map = new float[xs.length / c];
    for (int p = 0; p < map.length; p++) {
      float m = 0;
      for (int k = 0; k < c; k++) {
        m = Math.max(m, Math.abs(mean[p * c + k]));
      }
      map[p] = m;
    }
    return new SmoothGrad(new FloatTensor(x.shape().clone(), mean), FloatTensor.of(map, x.dim(0), x.dim(1)),
        FloatTensor.of(InputAttribution.minMaxScaled(map), x.dim(0), x.dim(1)), RowTargets.classOf(top.target()),
        top.score(), top.target(), samples, sigma);
  }

  private static double range(float[] v) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float f : v) {
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    return v.length == 0 ? 0 : max - min;
  }
}
