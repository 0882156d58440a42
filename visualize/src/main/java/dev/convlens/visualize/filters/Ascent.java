package dev.convlens.visualize.filters;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Gradient ascent for one batch of filters, each image optimized for its own filter. With the
 * default options this is the book's loop exactly: {@code g /= sqrt(mean(g^2)) + 1e-5; x += g * step}.
 *
 * <p>The state of image i is a picture {@code z_i} at the current octave's size; the model sees
 * {@code x_i = upsample(z_i)} (the identity at full size), jittered. The gradient is mapped back
 * through the jitter and the upsampling (exact transposes), blurred, RMS-normalized, and the
 * penalty gradients are added in these normalized units before the step.
 */
final class Ascent {
  private final KerasModel model;
  private final LayerGradient ops;
  private final FilterOptions options;
  private final int height;
  private final int width;
  private final int inChannels;
  private final int layerChannels;

  Ascent(KerasModel model, LayerGradient ops, FilterOptions options, int height, int width, int inChannels,
      int layerChannels) {
    this.model = model;
    this.ops = ops;
    this.options = options;
    this.height = height;
    this.width = width;
    this.inChannels = inChannels;
    this.layerChannels = layerChannels;
  }

  /** Runs all steps for {@code filters} from {@code start} ({@code [H, W, C]} values); progress goes to {@code step}. */
  List<FilterResult> run(int[] filters, float[] start, StepListener step) {
    int k = filters.length;
    int c = inChannels;
    FloatTensor selection = selection(filters);
    SplittableRandom[] jitterRandom = new SplittableRandom[k];
    for (int i = 0; i < k; i++) {
      jitterRandom[i] = jitterRandom(options.seed(), filters[i]);
    }
    double center = mean(start);
    int[] sizeOf = octaveSize(0);
    float[][] z = new float[k][];
    float[] first = resized(start, height, width, sizeOf[0], sizeOf[1]);
    for (int i = 0; i < k; i++) {
      z[i] = first.clone();
    }
    List<List<Double>> losses = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      losses.add(new ArrayList<>());
    }
    int total = options.totalSteps();
    int done = 0;
    for (int octave = 0; octave < options.octaves(); octave++) {
      int[] size = octaveSize(octave);
      if (octave > 0) {
        for (int i = 0; i < k; i++) {
          z[i] = resized(z[i], sizeOf[0], sizeOf[1], size[0], size[1]);
        }
      }
      sizeOf = size;
      int zh = size[0];
      int zw = size[1];
      for (int s = 0; s < options.steps(); s++) {
        int[][] shifts = new int[k][2];
        float[] batch = new float[k * height * width * c];
        for (int i = 0; i < k; i++) {
          float[] x = resized(z[i], zh, zw, height, width);
          if (options.jitter() > 0) {
            shifts[i][0] = jitterRandom[i].nextInt(-options.jitter(), options.jitter() + 1);
            shifts[i][1] = jitterRandom[i].nextInt(-options.jitter(), options.jitter() + 1);
            x = ImageOps.roll(x, height, width, c, shifts[i][0], shifts[i][1]);
          }
          System.arraycopy(x, 0, batch, i * x.length, x.length);
        }
        List<FloatTensor> out = model.graph().newRun().feedInput(new FloatTensor(new long[] {k, height, width, c}, batch))
            .feed(ops.selection(), selection).fetch(ops.loss()).fetch(ops.gradient()).cancellation(options.cancellation())
            .run();
        float[] loss = out.get(0).data();
        float[] grad = out.get(1).data();
        double lossSum = 0;
        for (int i = 0; i < k; i++) {
          losses.get(i).add((double) loss[i]);
          lossSum += loss[i];
          float[] g = new float[height * width * c];
          System.arraycopy(grad, i * g.length, g, 0, g.length);
          if (options.jitter() > 0) {
            g = ImageOps.roll(g, height, width, c, -shifts[i][0], -shifts[i][1]);
          }
          if (zh != height || zw != width) {
            g = ImageOps.resizeTranspose(g, height, width, c, zh, zw);
          }
          update(z[i], g, zh, zw, center);
        }
        done++;
        step.step(done, total, lossSum / k);
      }
    }
    float[] finals = new float[k * height * width * c];
    for (int i = 0; i < k; i++) {
      z[i] = resized(z[i], sizeOf[0], sizeOf[1], height, width);
      System.arraycopy(z[i], 0, finals, i * z[i].length, z[i].length);
    }
    float[] finalLoss = model.graph().newRun().feedInput(new FloatTensor(new long[] {k, height, width, c}, finals))
        .feed(ops.selection(), selection).fetch(ops.loss()).cancellation(options.cancellation()).run().get(0).data();
    List<FilterResult> results = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      results.add(new FilterResult(filters[i], new FloatTensor(new long[] {height, width, c}, z[i]), losses.get(i),
          finalLoss[i]));
    }
    return results;
  }

  /** One update of {@code z} in place: blur, normalize by {@code sqrt(mean(g^2)) + epsilon}, penalties, step. */
  private void update(float[] z, float[] g, int zh, int zw, double center) {
    int c = inChannels;
    if (options.blurSigma() > 0) {
      g = ImageOps.blur(g, zh, zw, c, options.blurSigma());
    }
    double sq = 0;
    for (float v : g) {
      sq += (double) v * v;
    }
    double norm = Math.sqrt(sq / g.length) + options.epsilon();
    float[] tv = options.totalVariation() > 0 ? ImageOps.totalVariationGradient(z, zh, zw, c) : null;
    double step = options.stepSize();
    for (int j = 0; j < z.length; j++) {
      double d = g[j] / norm;
      if (tv != null) {
        d -= options.totalVariation() * tv[j];
      }
      if (options.l2() > 0) {
        d -= options.l2() * (z[j] - center);
      }
      z[j] += (float) (d * step);
    }
  }

  /** Octave {@code o}'s picture size: the full size divided by {@code octaveScale^(octaves - 1 - o)}. */
  private int[] octaveSize(int octave) {
    double factor = Math.pow(options.octaveScale(), options.octaves() - 1 - octave);
    return new int[] {Math.max(1, (int) Math.round(height / factor)), Math.max(1, (int) Math.round(width / factor))};
  }

  private float[] resized(float[] x, int h, int w, int oh, int ow) {
    return h == oh && w == ow ? x.clone() : ImageOps.resize(x, h, w, inChannels, oh, ow);
  }

  private FloatTensor selection(int[] filters) {
    float[] s = new float[filters.length * layerChannels];
    for (int i = 0; i < filters.length; i++) {
      s[i * layerChannels + filters[i]] = 1f;
    }
    return new FloatTensor(new long[] {filters.length, layerChannels}, s);
  }

  /** Jitter offsets depend on the seed and the filter only, so batching does not change them. */
  static SplittableRandom jitterRandom(long seed, int filter) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + filter + 1);
  }

  private static double mean(float[] x) {
    double s = 0;
    for (float v : x) {
      s += v;
    }
    return s / x.length;
  }

  /** Progress of one batch: steps done of total, mean loss before the last update. */
  @FunctionalInterface
  interface StepListener {
    void step(int done, int total, double meanLoss);
  }
}
