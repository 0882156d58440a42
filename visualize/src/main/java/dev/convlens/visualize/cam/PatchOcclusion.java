package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Occlusion's runs: a square patch (clipped to the image) moves by the stride from the top left,
 * plus one last row and column flush with the bottom and right edges when the stride does not land
 * there, so every pixel is covered. The image itself is the first row of the first run (its
 * scores resolve the top class); the occluded copies follow {@code batchSize} per run, forward passes only.
 */
final class PatchOcclusion {
  private PatchOcclusion() {}

  static Occlusion occlusion(KerasModel model, InputOps ops, FloatTensor x, AttributionOptions options) {
    TargetOps t = ops.targets();
    // Forward passes only: the target is scored in Java on the fetched output (and logits or embedding if it reads them).
    RowTargets given = RowTargets.of(t, List.of(options.target()), ScoreKind.PROBABILITY);
    int h = (int) x.dim(0);
    int w = (int) x.dim(1);
    int c = (int) x.dim(2);
    int ph = Math.min(options.patch(), h);
    int pw = Math.min(options.patch(), w);
    List<Integer> rows = starts(h, ph, options.stride());
    List<Integer> cols = starts(w, pw, options.stride());
    int total = rows.size() * cols.size();
    float[] xs = x.data();
    double[] scores = new double[total];
    RowTargets resolved = given;
    Target target = options.target();
    double score = 0;
    // Copy 0 is the image; copy k > 0 is patch k - 1 in row-major order of (row, col).
    for (int start = 0; start <= total; start += options.batchSize()) {
      int n = Math.min(options.batchSize(), total + 1 - start);
      float[] images = new float[n * xs.length];
      for (int j = 0; j < n; j++) {
        int off = j * xs.length;
        System.arraycopy(xs, 0, images, off, xs.length);
        int k = start + j - 1;
        if (k >= 0) {
          fill(images, off, rows.get(k / cols.size()), cols.get(k % cols.size()), ph, pw, w, c, options.fill());
        }
      }
      RowTargets.Scored[] out = given.fetch(
          model.graph().newRun().feedInput(new FloatTensor(Batches.shape(x, n), images)), n,
          options.cancellation());
      if (start == 0) {
        target = given.resolved(0, out[0].outputs(), 0);
        resolved = given.resolved(out[0].outputs(), new int[] {0});
        score = resolved.score(0, out[0]);
      }
      for (int j = start == 0 ? 1 : 0; j < n; j++) {
        scores[start + j - 1] = resolved.score(0, out[j]);
      }
    }
    double[] sum = new double[h * w];
    int[] count = new int[h * w];
    for (int k = 0; k < total; k++) {
      int r0 = rows.get(k / cols.size());
      int c0 = cols.get(k % cols.size());
      double d = score - scores[k];
      for (int r = r0; r < r0 + ph; r++) {
        for (int q = c0; q < c0 + pw; q++) {
          sum[r * w + q] += d;
          count[r * w + q]++;
        }
      }
    }
    float[] map = new float[h * w];
    for (int i = 0; i < map.length; i++) {
      map[i] = (float) (sum[i] / count[i]);
    }
    return new Occlusion(FloatTensor.of(map, h, w), RowTargets.classOf(target), (float) score, target, options.patch(),
        options.stride(), total);
  }

  static List<Integer> starts(int size, int patch, int stride) {
    List<Integer> out = new ArrayList<>();
    for (int s = 0; s + patch <= size; s += stride) {
      out.add(s);
    }
    if (out.get(out.size() - 1) + patch < size) {
      out.add(size - patch);
    }
    return out;
  }

  private static void fill(float[] images, int off, int r0, int c0, int ph, int pw, int w, int c, float value) {
    for (int r = r0; r < r0 + ph; r++) {
      Arrays.fill(images, off + (r * w + c0) * c, off + (r * w + c0 + pw) * c, value);
    }
  }
}
