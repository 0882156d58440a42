package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.visualize.cam.RowTargets.Scored;
import java.util.HashMap;
import java.util.Map;

/**
 * Ablation-CAM's forward runs: for each image, its target activation unchanged and then with each
 * channel zeroed in turn are fed in place of the target layer's output, {@code batchSize} at a
 * time (the image itself is fed alongside, for paths that go around the target layer). The
 * fetched outputs (and the logits and embeddings the targets read) of every row are kept, so
 * several targets of one image share the runs; {@link RowTargets#score} scores them. Every run
 * checks the cancellation first and reports its rows to the listener.
 */
final class AblationRuns {
  /** Scores this close to 0 are divided by this instead (pytorch-grad-cam divides by 0). */
  static final double MIN_SCORE = 1e-7;

  private final KerasModel model;
  private final CamOps ops;
  private final RowTargets targets;
  private final FloatTensor images;
  private final FloatTensor activations;
  private final int batchSize;
  private final CamListener listener;
  private final Cancellation cancellation;
  private final long total;
  /** Per image: row 0 the unchanged activation's tensors, row 1 + k those with channel k zeroed. */
  private final Map<Integer, Scored[]> scored = new HashMap<>();
  private long done;

  /**
   * @param targets one resolved target per row; {@link #relativeDrops} takes a row and its image
   * @param activations the images' target-layer activations {@code [N, h, w, K]}
   */
  AblationRuns(KerasModel model, CamOps ops, RowTargets targets, FloatTensor images, FloatTensor activations,
      int batchSize, CamListener listener, Cancellation cancellation) {
    this.model = model;
    this.ops = ops;
    this.targets = targets;
    this.images = images;
    this.activations = activations;
    this.batchSize = batchSize;
    this.listener = listener;
    this.cancellation = cancellation;
    this.total = images.dim(0) * (activations.dim(3) + 1);
  }

  /** Row {@code row}'s target score y at image {@code image}, through the fed path. */
  double score(int row, int image) {
    return targets.score(row, scored.computeIfAbsent(image, this::ablatedScores)[0]);
  }

  /** Per channel: {@code (y - y_k) / max(|y|, MIN_SCORE)} for row {@code row}'s target score y. */
  double[] relativeDrops(int row, int image) {
    Scored[] s = scored.computeIfAbsent(image, this::ablatedScores);
    double y = targets.score(row, s[0]);
    double denominator = Math.max(Math.abs(y), MIN_SCORE);
    double[] w = new double[s.length - 1];
    for (int k = 0; k < w.length; k++) {
      w[k] = (y - targets.score(row, s[k + 1])) / denominator;
    }
    return w;
  }

  private Scored[] ablatedScores(int image) {
    int channels = (int) activations.dim(3);
    float[] a = activations.slice(image).data();
    float[] x = images.slice(image).data();
    Scored[] out = new Scored[channels + 1];
    for (int first = 0; first <= channels; first += batchSize) {
      int count = Math.min(batchSize, channels + 1 - first);
      float[] fed = new float[count * a.length];
      float[] in = new float[count * x.length];
      for (int i = 0; i < count; i++) {
        System.arraycopy(a, 0, fed, i * a.length, a.length);
        System.arraycopy(x, 0, in, i * x.length, x.length);
        int row = first + i; // 0: unchanged; 1 + k: channel k zeroed
        if (row > 0) {
          for (int j = row - 1; j < a.length; j += channels) {
            fed[i * a.length + j] = 0;
          }
        }
      }
      Scored[] batch = fetch(FloatTensor.of(in, withBatch(images.shape(), count)),
          FloatTensor.of(fed, withBatch(activations.shape(), count)));
      System.arraycopy(batch, 0, out, first, count);
      done += count;
      listener.onEvent(new CamProgress(done, total));
    }
    return out;
  }

  private Scored[] fetch(FloatTensor input, FloatTensor fed) {
    return targets.fetch(model.graph().newRun().feedInput(input).feed(ops.activations(), fed), (int) input.dim(0),
        cancellation);
  }

  private static long[] withBatch(long[] shape, int n) {
    long[] s = shape.clone();
    s[0] = n;
    return s;
  }
}
