package dev.convlens.bridge.graph;

import dev.convlens.bridge.keras.Initializer;
import dev.convlens.bridge.keras.WeightSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.DepthwiseConv2dNative;
import org.tensorflow.types.TFloat32;

/** Conv2D, DepthwiseConv2D and SeparableConv2D: kernels HWIO as tf.nn expects, TF's 'same' padding. */
final class Convolutions {
  private Convolutions() {}

  private static final long[] ONE = {1, 1};

  private static List<Long> nhwc(long[] hw) {
    return List.of(1L, hw[0], hw[1], 1L);
  }

  /** The window arguments every convolution takes, read and checked once per call. */
  private record Window(long[] kernel, long[] strides, long[] dilation, String padding) {}

  /**
   * Reads and checks what all three classes share, before any weight is sized from it: a Keras
   * config that Keras itself would refuse, or that TF would reject only at predict, fails here.
   */
  private static Window window(LayerContext c, boolean depthwise) {
    c.requireChannelsLast();
    int groups = c.positiveInt("groups", 1);
    if (groups != 1) {
      throw c.unsupported("grouped convolution (groups=" + groups + ")");
    }
    c.activation();
    c.bool("use_bias", true);
    long[] k = c.pair("kernel_size", null);
    long[] s = c.pair("strides", ONE);
    long[] d = c.pair("dilation_rate", ONE);
    String padding = c.padding();
    boolean strided = s[0] > 1 || s[1] > 1;
    boolean dilated = d[0] > 1 || d[1] > 1;
    if (strided && dilated) {
      // Keras refuses the combination when the layer is created.
      throw c.invalid("'strides' " + Arrays.toString(s) + " and 'dilation_rate' " + Arrays.toString(d)
          + " cannot both be above 1");
    }
    if (depthwise && dilated) {
      // TF's CPU DepthwiseConv2dNative kernel has no dilation: it would fail at predict.
      throw c.unsupported("depthwise convolution with 'dilation_rate' " + Arrays.toString(d));
    }
    if (depthwise && s[0] != s[1]) {
      // Nor unequal strides ("only supports equal length strides in the row and column dimensions").
      throw c.unsupported("depthwise convolution with unequal 'strides' " + Arrays.toString(s));
    }
    Windows.check(c, "kernel_size", k, d, padding, true);
    return new Window(k, s, d, padding);
  }

  static LayerOutput finish(LayerContext c, Operand<TFloat32> y, @Nullable Operand<TFloat32> bias) {
    Ops tf = c.tf();
    Operand<TFloat32> pre = bias == null ? y : tf.nn.biasAdd(y, bias);
    return new LayerOutput(Activations.apply(tf, c.activation(), pre), pre);
  }

  static final LayerBuilder CONV2D = new LayerBuilder() {
    @Override
    public List<WeightSpec> weights(LayerContext c) {
      long[] k = window(c, false).kernel();
      long filters = c.positiveInt("filters");
      List<WeightSpec> w = new ArrayList<>();
      w.add(c.weight("kernel", new long[] {k[0], k[1], c.inputChannels(), filters}, true, "kernel_initializer",
          Initializer.GLOROT_UNIFORM));
      if (c.bool("use_bias", true)) {
        w.add(c.weight("bias", new long[] {filters}, true, "bias_initializer", Initializer.ZEROS));
      }
      return w;
    }

    @Override
    public LayerOutput call(LayerContext c, List<Operand<TFloat32>> in, List<Operand<TFloat32>> w) {
      Window win = window(c, false);
      Operand<TFloat32> y = c.tf().nn.conv2d(in.get(0), w.get(0), nhwc(win.strides()), win.padding(),
          Conv2d.dilations(nhwc(win.dilation())));
      return finish(c, y, w.size() > 1 ? w.get(1) : null);
    }
  };

  static final LayerBuilder DEPTHWISE = new LayerBuilder() {
    @Override
    public List<WeightSpec> weights(LayerContext c) {
      long[] k = window(c, true).kernel();
      long m = c.positiveInt("depth_multiplier", 1);
      long ch = c.inputChannels();
      List<WeightSpec> w = new ArrayList<>();
      w.add(c.weight("depthwise_kernel", new long[] {k[0], k[1], ch, m}, true, "depthwise_initializer", Initializer.GLOROT_UNIFORM));
      if (c.bool("use_bias", true)) {
        w.add(c.weight("bias", new long[] {ch * m}, true, "bias_initializer", Initializer.ZEROS));
      }
      return w;
    }

    @Override
    public LayerOutput call(LayerContext c, List<Operand<TFloat32>> in, List<Operand<TFloat32>> w) {
      Operand<TFloat32> y = depthwise(c, window(c, true), in.get(0), w.get(0));
      return finish(c, y, w.size() > 1 ? w.get(1) : null);
    }
  };

  static final LayerBuilder SEPARABLE = new LayerBuilder() {
    @Override
    public List<WeightSpec> weights(LayerContext c) {
      long[] k = window(c, true).kernel();
      long m = c.positiveInt("depth_multiplier", 1);
      long ch = c.inputChannels();
      long filters = c.positiveInt("filters");
      List<WeightSpec> w = new ArrayList<>();
      w.add(c.weight("depthwise_kernel", new long[] {k[0], k[1], ch, m}, true, "depthwise_initializer", Initializer.GLOROT_UNIFORM));
      w.add(c.weight("pointwise_kernel", new long[] {1, 1, ch * m, filters}, true, "pointwise_initializer",
          Initializer.GLOROT_UNIFORM));
      if (c.bool("use_bias", true)) {
        w.add(c.weight("bias", new long[] {filters}, true, "bias_initializer", Initializer.ZEROS));
      }
      return w;
    }

    @Override
    public LayerOutput call(LayerContext c, List<Operand<TFloat32>> in, List<Operand<TFloat32>> w) {
      // As tf.nn.separable_conv2d: strides and padding on the depthwise step, then a 1x1 'valid' conv.
      Operand<TFloat32> d = depthwise(c, window(c, true), in.get(0), w.get(0));
      Operand<TFloat32> y = c.tf().nn.conv2d(d, w.get(1), nhwc(ONE), "VALID");
      return finish(c, y, w.size() > 2 ? w.get(2) : null);
    }
  };

  private static Operand<TFloat32> depthwise(LayerContext c, Window win, Operand<TFloat32> x, Operand<TFloat32> kernel) {
    return c.tf().nn.depthwiseConv2dNative(x, kernel, nhwc(win.strides()), win.padding(),
        DepthwiseConv2dNative.dilations(nhwc(win.dilation())));
  }
}
