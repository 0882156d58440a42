package dev.convlens.visualize.filters;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ModelRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * The optimization of one batch of objectives of the same shape, one image each: Adam on the
 * parameters, three graph runs per step (parameters to model input; the model's objective value
 * and input gradient; the gradient back through the picture ops to the parameters).
 */
final class Rendering {
  private final KerasModel model;
  private final ImageGraph image;
  private final ObjectiveGraph objective;
  private final FeatureOptions options;
  private final Plan plan;
  private final int h;
  private final int w;
  private final int c;
  private final int k;

  /**
   * What the objectives of the batch feed: per slot of {@code objective}, the weights (and neuron
   * masks) of every image, and per image the weights of the picture terms.
   */
  record Plan(List<Objective> objectives, int[] positions, List<FloatTensor> slotWeights,
      List<@Nullable FloatTensor> slotMasks, float[] tvWeights, float[] l2Weights) {
    /** The plan of images {@code which} of this batch, in that order. */
    Plan subset(int[] which) {
      List<Objective> o = new ArrayList<>();
      int[] p = new int[which.length];
      float[] tv = new float[which.length];
      float[] l2 = new float[which.length];
      for (int j = 0; j < which.length; j++) {
        o.add(objectives.get(which[j]));
        p[j] = positions[which[j]];
        tv[j] = tvWeights[which[j]];
        l2[j] = l2Weights[which[j]];
      }
      List<@Nullable FloatTensor> masks = new ArrayList<>();
      for (FloatTensor m : slotMasks) {
        masks.add(m == null ? null : rows(m, which));
      }
      return new Plan(o, p, slotWeights.stream().map(t -> rows(t, which)).toList(), masks, tv, l2);
    }

    private static FloatTensor rows(FloatTensor t, int[] which) {
      long[] shape = t.shape().clone();
      int per = (int) (t.data().length / shape[0]);
      shape[0] = which.length;
      float[] out = new float[which.length * per];
      for (int j = 0; j < which.length; j++) {
        System.arraycopy(t.data(), which[j] * per, out, j * per, per);
      }
      return new FloatTensor(shape, out);
    }
  }

  Rendering(KerasModel model, ImageGraph image, ObjectiveGraph objective, FeatureOptions options, Plan plan) {
    this.model = model;
    this.image = image;
    this.objective = objective;
    this.options = options;
    this.plan = plan;
    this.h = image.spec().height();
    this.w = image.spec().width();
    this.c = image.spec().channels();
    this.k = plan.positions().length;
  }

  /** Renders the batch; {@code step} hears of every step. */
  List<FeatureResult> run(Ascent.StepListener step) {
    Parameterization p = options.parameterization();
    boolean fourier = p.kind() == Parameterization.Kind.FOURIER;
    int wf = w / 2 + 1;
    Spectrum spectrum = fourier ? new Spectrum(h, w) : null;
    float[][] params = newParams();
    SplittableRandom[] transformRandom = new SplittableRandom[k];
    int[] starts = new int[k];
    for (int i = 0; i < k; i++) {
      transformRandom[i] = random(options.seed(), plan.positions()[i], 1);
      FloatTensor start = options.startImage();
      if (start == null) {
        setNoise(params, i, p.initialSd(), random(options.seed(), plan.positions()[i], 0));
      } else {
        setPicture(params, i, start.data(), spectrum);
      }
      starts[i] = 1;
    }
    boolean[] dead = findDead(params, starts, spectrum);

    float[] tvWeights = plan.tvWeights().clone();
    float[] l2Weights = plan.l2Weights().clone();
    for (int i = 0; i < k; i++) {
      if (dead[i]) {
        tvWeights[i] = 0;
        l2Weights[i] = 0;
      }
    }
    boolean pictureTerms = nonZero(tvWeights) || nonZero(l2Weights);
    Adam[] adam = new Adam[params.length];
    for (int j = 0; j < params.length; j++) {
      adam[j] = new Adam(options.learningRate(), params[j].length);
    }
    List<List<Double>> values = new ArrayList<>();
    List<List<FloatTensor>> snapshots = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      values.add(new ArrayList<>());
      snapshots.add(new ArrayList<>());
    }
    int every = options.snapshotEvery();
    for (int s = 0; s < options.steps(); s++) {
      float[][] maps = maps(transformRandom);
      boolean snapshot = every > 0 && s % every == 0;
      ModelRun forward = feedParams(model.graph().newRun(), params, maps).fetch(image.input());
      if (pictureTerms) {
        forward.fetch(image.totalVariation()).fetch(image.l2());
      }
      if (snapshot) {
        forward.fetch(image.picture());
      }
      List<FloatTensor> f = forward.cancellation(options.cancellation()).run();
      FloatTensor input = f.get(0);
      List<FloatTensor> o = objectiveRun(input).fetch(objective.value()).fetch(objective.gradient()).run();
      float[] value = o.get(0).data();
      float[] gradient = o.get(1).data();
      double sum = 0;
      int per = h * w * c;
      for (int i = 0; i < k; i++) {
        double v = value[i];
        if (pictureTerms) {
          v += tvWeights[i] * f.get(1).data()[i] + l2Weights[i] * f.get(2).data()[i];
        }
        values.get(i).add(v);
        sum += v;
        if (dead[i]) {
          Arrays.fill(gradient, i * per, (i + 1) * per, 0f);
        }
        if (snapshot) {
          snapshots.get(i).add(pixels(f.get(f.size() - 1), i));
        }
      }
      ModelRun backward = feedParams(model.graph().newRun(), params, maps)
          .feed(image.dInput(), new FloatTensor(input.shape(), gradient))
          .feed(image.tvWeight(), new FloatTensor(new long[] {k}, tvWeights))
          .feed(image.l2Weight(), new FloatTensor(new long[] {k}, l2Weights));
      for (var g : image.paramGradients()) {
        backward.fetch(g);
      }
      List<FloatTensor> grads = backward.cancellation(options.cancellation()).run();
      for (int j = 0; j < params.length; j++) {
        adam[j].step(params[j], grads.get(j).data());
      }
      step.step(s + 1, options.steps(), sum / k);
    }
    List<FloatTensor> last = feedParams(model.graph().newRun(), params, identityMaps()).fetch(image.input())
        .fetch(image.picture()).fetch(image.totalVariation()).fetch(image.l2()).cancellation(options.cancellation()).run();
    float[] finalValue = objectiveRun(last.get(0)).fetch(objective.value()).run().get(0).data();
    List<FeatureResult> results = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      FloatTensor picture = pixels(last.get(1), i);
      if (every > 0) {
        snapshots.get(i).add(picture);
      }
      double v = finalValue[i] + plan.tvWeights()[i] * last.get(2).data()[i] + plan.l2Weights()[i] * last.get(3).data()[i];
      results.add(new FeatureResult(plan.objectives().get(i), picture, slice(last.get(0), i), values.get(i), v,
          snapshots.get(i), dead[i], starts[i]));
    }
    return results;
  }

  /**
   * Dead starts: images whose model terms have zero value and zero input gradient. Each is given the
   * next start (larger noise, then the retry pictures) until it lives or the starts run out. One
   * forward pass finds the zero values; gradients and retries run on those images alone.
   */
  private boolean[] findDead(float[][] params, int[] starts, @Nullable Spectrum spectrum) {
    boolean[] dead = new boolean[k];
    float[] value = objectiveRun(inputOf(params)).fetch(objective.value()).run().get(0).data();
    int[] which = IntStream.range(0, k).filter(i -> value[i] == 0).toArray();
    if (which.length == 0) {
      return dead;
    }
    // the candidates' gradients and retries run on them alone, as a smaller batch
    Rendering sub = new Rendering(model, image, objective, options, plan.subset(which));
    float[][] subParams = sub.newParams();
    for (int j = 0; j < which.length; j++) {
      copyImage(params, k, which[j], subParams, sub.k, j);
    }
    boolean[] subDead = sub.deadNow(subParams);
    int retries = options.deadRetries() + options.retryImages().size();
    for (int attempt = 0; attempt < retries && anyOf(subDead); attempt++) {
      for (int j = 0; j < which.length; j++) {
        if (subDead[j]) {
          if (attempt < options.deadRetries()) {
            double sd = options.parameterization().initialSd() * Math.pow(10, attempt + 1);
            sub.setNoise(subParams, j, sd, random(options.seed(), sub.plan.positions()[j], 2 + attempt));
          } else {
            sub.setPicture(subParams, j, options.retryImages().get(attempt - options.deadRetries()).data(), spectrum);
          }
          starts[which[j]]++;
        }
      }
      subDead = sub.deadNow(subParams);
    }
    for (int j = 0; j < which.length; j++) {
      copyImage(subParams, sub.k, j, params, k, which[j]);
      dead[which[j]] = subDead[j];
    }
    return dead;
  }

  /**
   * Which images of this batch are dead now: zero value (a forward pass), then zero gradient (a
   * backward pass, only when some value is zero).
   */
  private boolean[] deadNow(float[][] params) {
    boolean[] dead = new boolean[k];
    FloatTensor input = inputOf(params);
    float[] value = objectiveRun(input).fetch(objective.value()).run().get(0).data();
    boolean any = false;
    for (int i = 0; i < k; i++) {
      dead[i] = value[i] == 0;
      any |= dead[i];
    }
    if (any) {
      float[] gradient = objectiveRun(input).fetch(objective.gradient()).run().get(0).data();
      int per = h * w * c;
      for (int i = 0; i < k; i++) {
        for (int j = i * per; dead[i] && j < (i + 1) * per; j++) {
          dead[i] = gradient[j] == 0;
        }
      }
    }
    return dead;
  }

  /** The model input of the untransformed pictures. */
  private FloatTensor inputOf(float[][] params) {
    return feedParams(model.graph().newRun(), params, identityMaps()).fetch(image.input())
        .cancellation(options.cancellation()).run().get(0);
  }

  private static boolean anyOf(boolean[] x) {
    for (boolean b : x) {
      if (b) {
        return true;
      }
    }
    return false;
  }

  private float[][] newParams() {
    if (image.spec().kind() == Parameterization.Kind.FOURIER) {
      int wf = w / 2 + 1;
      return new float[][] {new float[h * k * c * wf], new float[h * k * c * wf]};
    }
    int[][] sizes = image.spec().levelSizes();
    float[][] params = new float[sizes.length][];
    for (int j = 0; j < sizes.length; j++) {
      params[j] = new float[k * sizes[j][0] * sizes[j][1] * c];
    }
    return params;
  }

  /** Copies image {@code i} of a batch of {@code kFrom} into image {@code j} of a batch of {@code kTo}. */
  private void copyImage(float[][] from, int kFrom, int i, float[][] to, int kTo, int j) {
    if (image.spec().kind() == Parameterization.Kind.FOURIER) {
      int wf = w / 2 + 1;
      for (int part = 0; part < 2; part++) {
        for (int u = 0; u < h; u++) {
          System.arraycopy(from[part], (u * kFrom + i) * c * wf, to[part], (u * kTo + j) * c * wf, c * wf);
        }
      }
      return;
    }
    for (int level = 0; level < from.length; level++) {
      int per = from[level].length / kFrom;
      System.arraycopy(from[level], i * per, to[level], j * per, per);
    }
  }

  private ModelRun objectiveRun(FloatTensor input) {
    ModelRun run = model.graph().newRun().feedInput(input).cancellation(options.cancellation());
    for (int j = 0; j < objective.terms().size(); j++) {
      ObjectiveGraph.Slot slot = objective.terms().get(j);
      run.feed(slot.weights(), plan.slotWeights().get(j));
      FloatTensor mask = plan.slotMasks().get(j);
      if (slot.mask() != null && mask != null) {
        run.feed(slot.mask(), mask);
      }
    }
    return run;
  }

  private ModelRun feedParams(ModelRun run, float[][] params, float @Nullable [][] maps) {
    var placeholders = image.params();
    if (image.spec().kind() == Parameterization.Kind.FOURIER) {
      long[] shape = {h, (long) k * c, w / 2 + 1};
      run.feed(placeholders[0], new FloatTensor(shape, params[0])).feed(placeholders[1], new FloatTensor(shape, params[1]));
    } else {
      int[][] sizes = image.spec().levelSizes();
      for (int j = 0; j < placeholders.length; j++) {
        run.feed(placeholders[j], new FloatTensor(new long[] {k, sizes[j][0], sizes[j][1], c}, params[j]));
      }
    }
    if (image.mapY() != null && image.mapX() != null && maps != null) {
      run.feed(image.mapY(), new FloatTensor(new long[] {k, 3}, maps[0]))
          .feed(image.mapX(), new FloatTensor(new long[] {k, 3}, maps[1]));
    }
    return run;
  }

  /** This step's transformation of every image, as the fed source maps; null without transforms. */
  private float @Nullable [][] maps(SplittableRandom[] random) {
    if (image.mapY() == null) {
      return null;
    }
    float[][] maps = new float[2][k * 3];
    for (int i = 0; i < k; i++) {
      float[] m = options.transforms().draw(random[i]).sourceMap(h, w);
      System.arraycopy(m, 0, maps[0], i * 3, 3);
      System.arraycopy(m, 3, maps[1], i * 3, 3);
    }
    return maps;
  }

  private float @Nullable [][] identityMaps() {
    if (image.mapY() == null) {
      return null;
    }
    float[][] maps = new float[2][k * 3];
    for (int i = 0; i < k; i++) {
      maps[0][i * 3] = 1;
      maps[1][i * 3 + 1] = 1;
    }
    return maps;
  }

  /** Image i's parameters from seeded Gaussian noise of standard deviation {@code sd}. */
  private void setNoise(float[][] params, int i, double sd, SplittableRandom random) {
    if (image.spec().kind() != Parameterization.Kind.FOURIER) {
      for (float[] level : params) {
        int per = level.length / k;
        for (int j = 0; j < per; j++) {
          level[i * per + j] = (float) (random.nextGaussian() * sd);
        }
      }
      return;
    }
    int wf = w / 2 + 1;
    for (float[] part : params) {
      for (int ch = 0; ch < c; ch++) {
        for (int u = 0; u < h; u++) {
          for (int v = 0; v < wf; v++) {
            part[((u * k + i) * c + ch) * wf + v] = (float) (random.nextGaussian() * sd);
          }
        }
      }
    }
  }

  /** Image i's parameters such that its picture is {@code pixels} ({@code [H, W, C]}, 0..255, clamped off 0 and 255). */
  private void setPicture(float[][] params, int i, float[] pixels, @Nullable Spectrum spectrum) {
    float[] t = new float[pixels.length];
    for (int j = 0; j < pixels.length; j++) {
      double q = Math.min(1 - 1e-4, Math.max(1e-4, pixels[j] / 255.0));
      t[j] = (float) Math.log(q / (1 - q));
    }
    if (image.spec().decorrelated()) {
      double[][] inv = Spectrum.decorrelationInverse();
      for (int p = 0; p < t.length; p += 3) {
        double r = t[p];
        double g = t[p + 1];
        double b = t[p + 2];
        for (int j = 0; j < 3; j++) {
          t[p + j] = (float) (r * inv[0][j] + g * inv[1][j] + b * inv[2][j]);
        }
      }
    }
    if (spectrum == null) {
      // pixels, or a pyramid's full-size level (the coarser ones start at zero)
      System.arraycopy(t, 0, params[0], i * t.length, t.length);
      for (int j = 1; j < params.length; j++) {
        int per = params[j].length / k;
        Arrays.fill(params[j], i * per, (i + 1) * per, 0f);
      }
      return;
    }
    int wf = w / 2 + 1;
    for (int ch = 0; ch < c; ch++) {
      double[][][] s = spectrum.analysis(t, ch, c);
      for (int part = 0; part < 2; part++) {
        for (int u = 0; u < h; u++) {
          for (int v = 0; v < wf; v++) {
            params[part][((u * k + i) * c + ch) * wf + v] = (float) s[part][u][v];
          }
        }
      }
    }
  }

  /** Image i of a {@code [K, H, W, C]} picture batch of 0..1 values, as 0..255. */
  private FloatTensor pixels(FloatTensor batch, int i) {
    float[] out = slice(batch, i).data();
    for (int j = 0; j < out.length; j++) {
      out[j] *= 255;
    }
    return new FloatTensor(new long[] {h, w, c}, out);
  }

  private FloatTensor slice(FloatTensor batch, int i) {
    int per = h * w * c;
    float[] out = new float[per];
    System.arraycopy(batch.data(), i * per, out, 0, per);
    return new FloatTensor(new long[] {h, w, c}, out);
  }

  /** An image's own random stream ({@code purpose} 0: start, 1: transforms, 2+: retries): independent of batching. */
  static SplittableRandom random(long seed, int position, int purpose) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + position * 0xBF58476D1CE4E5B9L + purpose + 1);
  }

  private static boolean nonZero(float[] x) {
    for (float v : x) {
      if (v != 0) {
        return true;
      }
    }
    return false;
  }
}
