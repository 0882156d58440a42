package dev.convlens.finetune.training;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.bridge.spi.ModelGraph;
import dev.convlens.bridge.spi.ModelVariable;
import dev.convlens.finetune.data.Batch;
import dev.convlens.finetune.data.ImageDataset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The outputs of a frozen layer for every sample of a dataset, computed once. Training and
 * evaluation then feed them into that layer's output tensor (TF lets a run feed any tensor), so
 * the frozen layers before it are not run again: feature extraction when the cut is the base's
 * last layer, the cheap phase 2 when it is the layer before the first unfrozen one.
 */
final class PrefixCache {
  final String layer;
  final Operand<TFloat32> tensor;
  private final long[] sampleShape;
  private final int sampleSize;
  private final float[] values;

  private PrefixCache(String layer, Operand<TFloat32> tensor, long[] sampleShape, float[] values) {
    this.layer = layer;
    this.tensor = tensor;
    this.sampleShape = sampleShape;
    int n = 1;
    for (long d : sampleShape) {
      n *= (int) d;
    }
    this.sampleSize = n;
    this.values = values;
  }

  /**
   * The last layer before the first trainable one, in layer order, skipping nested models' own
   * entries (their sublayers carry the tensors); null when only the input precedes it.
   */
  static @Nullable String cutLayer(KerasModel model, List<ModelVariable> trainable) {
    Set<String> trainableLayers = new HashSet<>();
    trainable.forEach(v -> trainableLayers.add(v.layer()));
    List<LayerInfo> layers = model.layers();
    int first = -1;
    for (int i = 0; i < layers.size() && first < 0; i++) {
      if (trainableLayers.contains(layers.get(i).path())) {
        first = i;
      }
    }
    for (int i = first - 1; i >= 0; i--) {
      LayerInfo l = layers.get(i);
      if (l.is(LayerTrait.MODEL) || l.path().contains("@")) {
        continue;
      }
      return l.is(LayerTrait.INPUT) ? null : l.path();
    }
    return null;
  }

  /** Floats per sample of {@code layer}'s output, or -1 when its shape is not fully known. */
  static long sampleSize(KerasModel model, String layer) {
    long[] s = model.layer(layer).outputShape();
    long n = 1;
    for (int i = 1; i < s.length; i++) {
      if (s[i] < 0) {
        return -1;
      }
      n *= s[i];
    }
    return n;
  }

  /**
   * Runs the model up to {@code layer} over {@code data} (no augmentation, in order), reporting each
   * sample done; {@code cancellation} is checked before every batch.
   */
  static PrefixCache compute(KerasModel model, String layer, ImageDataset data, IntConsumer progress,
      Cancellation cancellation) {
    ModelGraph graph = model.graph();
    Operand<TFloat32> tensor = graph.layer(layer).output();
    long[] shape = graph.layer(layer).outputShape();
    long[] sample = java.util.Arrays.copyOfRange(shape, 1, shape.length);
    long size = sampleSize(model, layer);
    float[] values = new float[Math.toIntExact(size * data.size())];
    ImageDataset plain = data.withOptions(data.options().forEvaluation());
    int done = 0;
    for (Batch b : plain.batches(0)) {
      FloatTensor out = graph.newRun().feedInput(b.images()).fetch(tensor).cancellation(cancellation).run().get(0);
      for (int k = 0; k < b.size(); k++) {
        System.arraycopy(out.data(), (int) (k * size), values, (int) (b.indices()[k] * size), (int) size);
      }
      done += b.size();
      progress.accept(done);
    }
    return new PrefixCache(layer, tensor, sample, values);
  }

  /** The cached outputs of these samples, {@code [n, ...]}. */
  FloatTensor gather(int[] indices) {
    float[] out = new float[indices.length * sampleSize];
    for (int k = 0; k < indices.length; k++) {
      System.arraycopy(values, indices[k] * sampleSize, out, k * sampleSize, sampleSize);
    }
    long[] shape = new long[sampleShape.length + 1];
    shape[0] = indices.length;
    System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
    return new FloatTensor(shape, out);
  }
}
