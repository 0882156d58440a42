package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.visualize.cam.RowTargets.Scored;
import dev.convlens.visualize.render.Resize;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Score-CAM's forward passes: for each image, each channel of the target activation is upsampled
 * (bilinear) to the input size and scaled to [0, 1] by its own min and max, the input is multiplied
 * by it, and the masked inputs run through the model {@code batchSize} at a time. The outputs
 * (and the logits and embeddings the targets read) of every mask are kept, so several targets of
 * one image share the passes; {@link RowTargets#score} scores them.
 * Channels that are constant carry no location: their mask is zero, the baseline itself. Every
 * run checks the cancellation first (so a listener that cancels after batch k stops it there).
 * Faster-Score-CAM masks only the {@code maxChannels} channels of each image with the largest
 * activation variance over the positions (tf-keras-vis' {@code max_N}; ties to the lower index);
 * the others score 0.
 */
final class ScoreCamMasks {
  private final KerasModel model;
  private final TargetOps ops;
  private final RowTargets targets;
  private final FloatTensor images;
  private final FloatTensor activations;
  private final int batchSize;
  private final CamListener listener;
  private final long total;
  private final Cancellation cancellation;
  private final int maxChannels;
  private final Map<Integer, Scored[]> masked = new HashMap<>();
  private @Nullable Scored baseline;
  private long done;

  /**
   * @param images the images {@code [N, H, W, C]}
   * @param activations their target-layer activations {@code [N, h, w, K]}
   * @param targets one resolved target per row; {@link #scoreIncrease} takes a row and its image
   */
  ScoreCamMasks(KerasModel model, TargetOps ops, RowTargets targets, FloatTensor images, FloatTensor activations,
      int batchSize, CamListener listener, Cancellation cancellation, int maxChannels) {
    this.model = model;
    this.ops = ops;
    this.targets = targets;
    this.images = images;
    this.activations = activations;
    this.batchSize = batchSize;
    this.listener = listener;
    this.maxChannels = (int) Math.min(maxChannels, activations.dim(3));
    this.total = 1 + images.dim(0) * this.maxChannels;
    this.cancellation = cancellation;
  }

  /** Per channel: row {@code row}'s target score of the masked image {@code image} minus that of the all-zero input. */
  double[] scoreIncrease(int row, int image) {
    Scored[] m = masked.computeIfAbsent(image, this::maskedScores);
    Scored b = baseline();
    double base = targets.score(row, b);
    double[] increase = new double[m.length];
    for (int k = 0; k < m.length; k++) {
      Scored s = m[k];
      increase[k] = s == null ? 0 : targets.score(row, s) - base;
    }
    return increase;
  }

  private Scored baseline() {
    if (baseline == null) {
      long[] shape = images.shape().clone();
      shape[0] = 1;
      baseline = fetch(new FloatTensor(shape, new float[(int) (images.size() / images.dim(0))]))[0];
      step(1);
    }
    return baseline;
  }

  private Scored[] maskedScores(int image) {
    int inH = (int) images.dim(1);
    int inW = (int) images.dim(2);
    int inC = (int) images.dim(3);
    int h = (int) activations.dim(1);
    int w = (int) activations.dim(2);
    int channels = (int) activations.dim(3);
    int size = inH * inW * inC;
    float[] x = images.slice(image).data();
    float[] a = activations.data();
    int offset = image * h * w * channels;
    Scored[] out = new Scored[channels];
    int[] pending = new int[batchSize];
    float[] chunk = new float[batchSize * size];
    int filled = 0;
    for (int k : scoredChannels(a, offset, h * w, channels)) {
      float[] map = new float[h * w];
      for (int p = 0; p < h * w; p++) {
        map[p] = a[offset + p * channels + k];
      }
      float[] mask = Resize.bilinear(map, h, w, inH, inW);
      float lo = Float.POSITIVE_INFINITY;
      float hi = Float.NEGATIVE_INFINITY;
      for (float v : mask) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (!(hi > lo)) {
        step(1);
        continue;
      }
      float span = hi - lo;
      int at = filled * size;
      for (int p = 0; p < inH * inW; p++) {
        float m = (mask[p] - lo) / span;
        for (int ch = 0; ch < inC; ch++) {
          chunk[at + p * inC + ch] = x[p * inC + ch] * m;
        }
      }
      pending[filled++] = k;
      if (filled == batchSize) {
        run(chunk, filled, size, pending, out);
        filled = 0;
      }
    }
    if (filled > 0) {
      run(chunk, filled, size, pending, out);
    }
    return out;
  }

  /** Every channel, or the {@code maxChannels} of largest variance over the positions, in channel order. */
  private int[] scoredChannels(float[] a, int offset, int positions, int channels) {
    if (maxChannels >= channels) {
      return IntStream.range(0, channels).toArray();
    }
    double[] variance = new double[channels];
    for (int k = 0; k < channels; k++) {
      double mean = 0;
      for (int p = 0; p < positions; p++) {
        mean += a[offset + p * channels + k];
      }
      mean /= positions;
      for (int p = 0; p < positions; p++) {
        double d = a[offset + p * channels + k] - mean;
        variance[k] += d * d;
      }
    }
    return IntStream.range(0, channels).boxed()
        .sorted(Comparator.comparingDouble((Integer k) -> -variance[k]).thenComparingInt(k -> k))
        .limit(maxChannels).mapToInt(Integer::intValue).sorted().toArray();
  }

  private void run(float[] chunk, int count, int size, int[] channels, Scored[] out) {
    long[] shape = images.shape().clone();
    shape[0] = count;
    float[] data = count * size == chunk.length ? chunk : Arrays.copyOf(chunk, count * size);
    Scored[] scored = fetch(new FloatTensor(shape, data));
    for (int i = 0; i < count; i++) {
      out[channels[i]] = scored[i];
    }
    step(count);
  }

  private void step(long n) {
    done += n;
    listener.onEvent(new CamProgress(done, total));
  }

  private Scored[] fetch(FloatTensor batch) {
    return targets.fetch(model.graph().newRun().feedInput(model.inputNames().get(0), batch), (int) batch.dim(0),
        cancellation);
  }
}
