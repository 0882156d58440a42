package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Ablation-CAM's forward runs: for each image, its target activation unchanged and then with each
 * channel zeroed in turn are fed in place of the target layer's output, {@code batchSize} at a
 * time (the image itself is fed alongside, for paths that go around the target layer), and the
 * class logits of every row are kept, so several classes of one image share the runs. Every run
 * checks the cancellation first and reports its rows to the listener.
 */
final class AblationRuns {
  /** Logits this close to 0 are divided by this instead (pytorch-grad-cam divides by 0). */
  static final double MIN_SCORE = 1e-7;

  private final KerasModel model;
  private final FloatTensor images;
  private final FloatTensor activations;
  private final Operand<TFloat32> target;
  private final Operand<TFloat32> logits;
  private final int batchSize;
  private final CamListener listener;
  private final Cancellation cancellation;
  private final long total;
  /** Per image: row 0 the logits of the unchanged activation, row 1 + k those with channel k zeroed. */
  private final Map<Integer, float[][]> scores = new HashMap<>();
  private long done;

  AblationRuns(KerasModel model, String layer, String output, FloatTensor images, FloatTensor activations, int batchSize,
      CamListener listener, int distinctImages, Cancellation cancellation) {
    this.model = model;
    this.images = images;
    this.activations = activations;
    ModelGraph g = model.graph();
    this.target = g.layer(layer).output();
    this.logits = TargetLayers.logitsLayer(model, output).preActivation();
    this.batchSize = batchSize;
    this.listener = listener;
    this.cancellation = cancellation;
    this.total = (long) distinctImages * (activations.dim(3) + 1);
  }

  /** Per channel: {@code (y - y_k) / max(|y|, MIN_SCORE)} for the class-c logit y. */
  double[] relativeDrops(int image, int c) {
    float[][] s = scores.computeIfAbsent(image, this::ablatedLogits);
    double y = s[0][c];
    double denominator = Math.max(Math.abs(y), MIN_SCORE);
    double[] w = new double[s.length - 1];
    for (int k = 0; k < w.length; k++) {
      w[k] = (y - s[k + 1][c]) / denominator;
    }
    return w;
  }

  private float[][] ablatedLogits(int image) {
    int channels = (int) activations.dim(3);
    float[] a = activations.slice(image).data();
    float[] x = images.slice(image).data();
    float[][] out = new float[channels + 1][];
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
      FloatTensor y = run(FloatTensor.of(in, withBatch(images.shape(), count)), FloatTensor.of(fed,
          withBatch(activations.shape(), count)));
      int classes = (int) (y.size() / count);
      for (int i = 0; i < count; i++) {
        out[first + i] = Arrays.copyOfRange(y.data(), i * classes, (i + 1) * classes);
      }
      done += count;
      listener.onEvent(new CamProgress(done, total));
    }
    return out;
  }

  private FloatTensor run(FloatTensor input, FloatTensor fed) {
    return model.graph().newRun().feedInput(input).feed(target, fed).fetch(logits).cancellation(cancellation).run().get(0);
  }

  private static long[] withBatch(long[] shape, int n) {
    long[] s = shape.clone();
    s[0] = n;
    return s;
  }
}
