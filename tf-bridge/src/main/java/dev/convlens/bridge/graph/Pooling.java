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

  private static final long[] ONE = {1, 1};

  /** Pool size, strides and padding, checked against the input (TF refuses a window of 0 only at predict). */
  private record Window(long[] pool, long[] strides, String padding) {}

  private static Window window(LayerContext c) {
    c.requireChannelsLast();
    long[] k = c.pair("pool_size", new long[] {2, 2});
    long[] s = c.pair("strides", k);
    String padding = c.padding();
    Windows.check(c, "pool_size", k, ONE, padding, false);
    return new Window(k, s, padding);
  }

  static final LayerBuilder MAX = (c, in, w) -> {
    Window win = window(c);
    long[] k = win.pool();
    long[] s = win.strides();
    Ops tf = c.tf();
    // pair() keeps sizes within int range, so these casts are exact.
    return LayerOutput.of(tf.nn.maxPool(in.get(0), tf.constant(new int[] {1, (int) k[0], (int) k[1], 1}),
        tf.constant(new int[] {1, (int) s[0], (int) s[1], 1}), win.padding()));
  };

  static final LayerBuilder AVERAGE = (c, in, w) -> {
    Window win = window(c);
    long[] k = win.pool();
    long[] s = win.strides();
    return LayerOutput.of(c.tf().nn.avgPool(in.get(0), List.of(1L, k[0], k[1], 1L), List.of(1L, s[0], s[1], 1L),
        win.padding()));
  };

  /** The global poolings reduce height and width, so they need an NHWC input. */
  private static boolean global(LayerContext c) {
    c.requireChannelsLast();
    if (c.inputShape(0).numDimensions() != 4) {
      throw c.invalid("needs an input of rank 4 (batch, height, width, channels), got shape " + c.inputShape(0));
    }
    return c.bool("keepdims", false);
  }

  static final LayerBuilder GLOBAL_AVERAGE = (c, in, w) -> {
    boolean keepDims = global(c);
    Ops tf = c.tf();
    return LayerOutput.of(tf.math.mean(in.get(0), tf.constant(new int[] {1, 2}), Mean.keepDims(keepDims)));
  };

  static final LayerBuilder GLOBAL_MAX = (c, in, w) -> {
    boolean keepDims = global(c);
    Ops tf = c.tf();
    return LayerOutput.of(tf.max(in.get(0), tf.constant(new int[] {1, 2}), Max.keepDims(keepDims)));
  };

}
