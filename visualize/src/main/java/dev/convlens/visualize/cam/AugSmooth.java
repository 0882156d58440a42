package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * pytorch-grad-cam's {@code aug_smooth}: test-time augmentation with ttach's
 * {@code HorizontalFlip x Multiply(0.9, 1, 1.1)}, six versions of each image; each version's
 * normalised map is mirrored back when its image was mirrored, and the six are averaged.
 *
 * <p>The multiply applies to the tensor the model takes, i.e. after preprocessing (pytorch-grad-cam
 * applies it to the normalised tensor too): for a model whose preprocessing centers the pixels,
 * 0.9 and 1.1 scale the contrast around the mean, not the brightness. The maps stay at the target
 * layer's resolution and are mirrored there, which is exact when the layer's grid is symmetric
 * under the flip (same padding on both sides).
 *
 * <p>Unlike pytorch-grad-cam, which picks each version's own top class, every version explains the
 * target of the unchanged image as resolved there (its top class unless a target was given); a
 * region target's mask is mirrored with the image. The heatmap's raw map is
 * the mean of the six normalised maps (not a pre-ReLU map), its weights the mean of the six weight
 * vectors, its predictions, target and score the unchanged image's. Two explainer calls: the unchanged images, then
 * the five other versions of every image in one call (Score-CAM reports progress for each).
 */
final class AugSmooth {
  private static final float[] FACTORS = {0.9f, 1f, 1.1f};

  /** The plain explainer's maps of {@code rows} of {@code images} (one row: an image and its target). */
  @FunctionalInterface
  interface Maps {
    List<Heatmap> of(FloatTensor images, int[] rowImage, List<Target> targets);
  }

  private AugSmooth() {}

  static List<Heatmap> maps(Maps plain, FloatTensor images, int[] rowImage, List<Target> targets) {
    if (images.rank() != 4) {
      throw new InvalidInputException("aug smoothing mirrors images [N, H, W, C], got shape "
          + java.util.Arrays.toString(images.shape()));
    }
    List<Heatmap> base = plain.of(images, rowImage, targets);
    int n = (int) images.dim(0);
    int size = (int) (images.size() / n);
    int versions = 2 * FACTORS.length - 1; // all but (not mirrored, x1), which is the base
    float[] augmented = new float[n * versions * size];
    boolean[] mirrored = new boolean[versions];
    int v = 0;
    for (boolean mirror : new boolean[] {false, true}) {
      for (float factor : FACTORS) {
        if (!mirror && factor == 1f) {
          continue;
        }
        mirrored[v] = mirror;
        for (int i = 0; i < n; i++) {
          augment(images, i, mirror, factor, augmented, (i * versions + v) * size);
        }
        v++;
      }
    }
    int rows = rowImage.length;
    int[] augImage = new int[rows * versions];
    List<Target> augTargets = new ArrayList<>(rows * versions);
    for (int r = 0; r < rows; r++) {
      for (v = 0; v < versions; v++) {
        augImage[r * versions + v] = rowImage[r] * versions + v;
        Target t = base.get(r).target();
        augTargets.add(mirrored[v] && t instanceof Target.Region region
            ? Target.region(region.classIndex(), mirror(region.mask())) : t);
      }
    }
    long[] shape = images.shape().clone();
    shape[0] = (long) n * versions;
    List<Heatmap> more = plain.of(new FloatTensor(shape, augmented), augImage, augTargets);
    List<Heatmap> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      Heatmap b = base.get(r);
      int h = b.height();
      int w = b.width();
      double[] sum = toDouble(b.normalized().data());
      double[] weights = toDouble(b.weights().data());
      for (v = 0; v < versions; v++) {
        Heatmap m = more.get(r * versions + v);
        float[] map = m.normalized().data();
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            sum[y * w + x] += map[y * w + (mirrored[v] ? w - 1 - x : x)];
          }
        }
        float[] mw = m.weights().data();
        for (int k = 0; k < weights.length; k++) {
          weights[k] += mw[k];
        }
      }
      float[] mean = new float[sum.length];
      for (int p = 0; p < mean.length; p++) {
        mean[p] = (float) (sum[p] / (versions + 1));
      }
      float[] meanWeights = new float[weights.length];
      for (int k = 0; k < weights.length; k++) {
        meanWeights[k] = (float) (weights[k] / (versions + 1));
      }
      float[] normalized = Heatmap.normalize(mean);
      boolean degenerate = true;
      for (float x : normalized) {
        degenerate &= x == 0;
      }
      out.add(new Heatmap(b.classIndex(), b.probability(), b.predictions(), FloatTensor.of(mean, h, w),
          FloatTensor.of(normalized, h, w), FloatTensor.of(meanWeights, meanWeights.length), degenerate, b.target(),
          b.score()));
    }
    return List.copyOf(out);
  }

  /** Image {@code i} of {@code [N, H, W, C]}, mirrored left-right if asked, times {@code factor}, into {@code out} at {@code at}. */
  private static void augment(FloatTensor images, int i, boolean mirror, float factor, float[] out, int at) {
    int hh = (int) images.dim(1);
    int ww = (int) images.dim(2);
    int cc = (int) images.dim(3);
    float[] d = images.data();
    int base = i * hh * ww * cc;
    for (int y = 0; y < hh; y++) {
      for (int x = 0; x < ww; x++) {
        int from = base + (y * ww + (mirror ? ww - 1 - x : x)) * cc;
        int to = at + (y * ww + x) * cc;
        for (int c = 0; c < cc; c++) {
          out[to + c] = d[from + c] * factor;
        }
      }
    }
  }

  /** A mask {@code [H, W]} mirrored left-right. */
  private static FloatTensor mirror(FloatTensor mask) {
    int hh = (int) mask.dim(0);
    int ww = (int) mask.dim(1);
    float[] d = mask.data();
    float[] out = new float[d.length];
    for (int y = 0; y < hh; y++) {
      for (int x = 0; x < ww; x++) {
        out[y * ww + x] = d[y * ww + ww - 1 - x];
      }
    }
    return FloatTensor.of(out, hh, ww);
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
