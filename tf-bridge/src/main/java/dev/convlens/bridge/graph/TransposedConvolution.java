package dev.convlens.bridge.graph;

import dev.convlens.bridge.keras.Initializer;
import dev.convlens.bridge.keras.WeightSpec;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras {@code Conv2DTranspose} as TF computes it: the adjoint of a strided convolution
 * ({@code Conv2DBackpropInput}, which has a registered gradient) with kernel {@code (kh, kw, filters, in)}
 * and the output size of Keras' {@code deconv_output_length}, including {@code output_padding}.
 */
final class TransposedConvolution implements LayerBuilder {
  @Override
  public List<WeightSpec> weights(LayerContext c) {
    Convolutions.check(c);
    long[] d = c.pair("dilation_rate", new long[] {1, 1});
    if (d[0] != 1 || d[1] != 1) {
      throw c.unsupported("dilation_rate " + d[0] + "x" + d[1] + " (only 1 is supported)");
    }
    long[] k = kernel(c);
    long filters = c.integer("filters", -1);
    List<WeightSpec> w = new ArrayList<>();
    w.add(c.weight("kernel", new long[] {k[0], k[1], filters, c.inputChannels()}, true, "kernel_initializer",
        Initializer.GLOROT_UNIFORM));
    if (c.bool("use_bias", true)) {
      w.add(c.weight("bias", new long[] {filters}, true, "bias_initializer", Initializer.ZEROS));
    }
    return w;
  }

  @Override
  public LayerOutput call(LayerContext c, List<Operand<TFloat32>> in, List<Operand<TFloat32>> w) {
    Ops tf = c.tf();
    Shape s = c.inputShape(0);
    if (s.numDimensions() != 4 || s.get(1) < 0 || s.get(2) < 0) {
      throw c.invalid("needs an input of known height and width, got " + s);
    }
    long[] k = kernel(c);
    long[] strides = c.pair("strides", new long[] {1, 1});
    long[] outputPadding = c.has("output_padding") ? c.pair("output_padding", null) : null;
    String padding = c.padding();
    long filters = c.integer("filters", -1);
    long h = outputLength(c, s.get(1), k[0], padding, outputPadding == null ? null : outputPadding[0], strides[0]);
    long wd = outputLength(c, s.get(2), k[1], padding, outputPadding == null ? null : outputPadding[1], strides[1]);
    Operand<TInt32> batch = tf.slice(tf.shape(in.get(0)), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> size = tf.concat(List.of(batch, tf.constant(new int[] {(int) h, (int) wd, (int) filters})),
        tf.constant(0));
    Operand<TFloat32> y = tf.nn.conv2dBackpropInput(size, w.get(0), in.get(0),
        List.of(1L, strides[0], strides[1], 1L), padding);
    // The op's static shape is unknown (its size is a tensor): restore it for the layers after.
    y = tf.reshape(y, tf.constant(new long[] {-1, h, wd, filters}));
    return Convolutions.finish(c, y, w.size() > 1 ? w.get(1) : null);
  }

  private static long[] kernel(LayerContext c) {
    long[] k = c.pair("kernel_size", null);
    if (k == null) {
      throw c.invalid("missing 'kernel_size'");
    }
    return k;
  }

  /** Keras' {@code conv_utils.deconv_output_length} for dilation 1. */
  static long outputLength(LayerContext c, long n, long k, String padding, Long outputPadding, long stride) {
    if (outputPadding != null && (outputPadding < 0 || outputPadding >= stride)) {
      throw c.invalid("output_padding " + outputPadding + " must be at least 0 and less than the stride " + stride);
    }
    boolean same = padding.equals("SAME");
    if (outputPadding == null) {
      return same ? n * stride : n * stride + Math.max(k - stride, 0);
    }
    long pad = same ? k / 2 : 0;
    return (n - 1) * stride + k - 2 * pad + outputPadding;
  }
}
