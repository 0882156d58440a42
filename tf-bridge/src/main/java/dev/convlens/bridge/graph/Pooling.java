package dev.convlens.bridge.graph;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/** MaxPooling2D, AveragePooling2D (strides default to the pool size) and the global poolings over H, W. */
final class Pooling {
  private Pooling() {}

  private static long[] window(LayerContext c) {
    c.requireChannelsLast();
    return c.pair("pool_size", new long[] {2, 2});
  }

  static final LayerBuilder MAX = (c, in, w) -> {
    long[] k = window(c);
    long[] s = c.pair("strides", k);
    Ops tf = c.tf();
    return LayerOutput.of(tf.nn.maxPool(in.get(0), tf.constant(new int[] {1, (int) k[0], (int) k[1], 1}),
        tf.constant(new int[] {1, (int) s[0], (int) s[1], 1}), c.padding()));
  };

  static final LayerBuilder AVERAGE = (c, in, w) -> {
    long[] k = window(c);
    long[] s = c.pair("strides", k);
    return LayerOutput.of(c.tf().nn.avgPool(in.get(0), List.of(1L, k[0], k[1], 1L), List.of(1L, s[0], s[1], 1L),
        c.padding()));
  };

  static final LayerBuilder GLOBAL_AVERAGE = (c, in, w) -> {
    c.requireChannelsLast();
    Ops tf = c.tf();
    return LayerOutput.of(tf.math.mean(in.get(0), tf.constant(new int[] {1, 2}),
        Mean.keepDims(c.bool("keepdims", false))));
  };

  static final LayerBuilder GLOBAL_MAX = (c, in, w) -> {
    c.requireChannelsLast();
    Ops tf = c.tf();
    return LayerOutput.of(tf.max(in.get(0), tf.constant(new int[] {1, 2}), Max.keepDims(c.bool("keepdims", false))));
  };

}
