package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.keras.Initializer;
import dev.convlens.bridge.keras.WeightSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
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
  private static final long[] ONE = {1, 1};

  /** The config, read and checked once: kernel, strides, TF padding, filters, output_padding (null: Keras' default). */
  private record Settings(long[] kernel, long[] strides, String padding, int filters, long @Nullable [] outputPadding) {}

  private static Settings settings(LayerContext c) {
    c.requireChannelsLast();
    c.activation();
    long[] d = c.pair("dilation_rate", ONE);
    if (d[0] != 1 || d[1] != 1) {
      throw c.unsupported("dilation_rate " + d[0] + "x" + d[1] + " (only 1 is supported)");
    }
    long[] strides = c.pair("strides", ONE);
    long[] kernel = c.pair("kernel_size", null);
    // Every tap of a transposed kernel writes output, so the convolutions' cap on kernel width applies ('same'
    // here only skips their fit test: a transposed kernel always fits).
    Windows.check(c, "kernel_size", kernel, ONE, "SAME", true);
    Settings s = new Settings(kernel, strides, c.padding(), c.positiveInt("filters"), outputPadding(c, strides));
    Shape in = c.inputShape(0);
    if (in.get(1) >= 0 && in.get(2) >= 0) {
      long h = outputLength(in.get(1), s, 0);
      long w = outputLength(in.get(2), s, 1);
      if ((double) h * w * s.filters() > GraphBuilder.MAX_VALUES_PER_SAMPLE) {
        throw c.invalid("'kernel_size' " + Arrays.toString(kernel) + ", 'strides' " + Arrays.toString(strides)
            + " and 'filters' " + s.filters() + " give an output of " + h + "x" + w + "x" + s.filters() + ", more than "
            + GraphBuilder.MAX_VALUES_PER_SAMPLE + " values per sample");
      }
    }
    return s;
  }

  /** Keras' {@code output_padding}: absent or null, or an int or pair, each at least 0 and below its stride. */
  private static long @Nullable [] outputPadding(LayerContext c, long[] strides) {
    if (!c.has("output_padding")) {
      return null;
    }
    String expected = "an int or a pair of ints, each at least 0 and less than 'strides' " + Arrays.toString(strides);
    JsonNode v = c.config().get("output_padding");
    if (v.isArray() && v.size() != 2) {
      throw c.badValue("output_padding", expected);
    }
    long[] out = new long[2];
    for (int i = 0; i < 2; i++) {
      Integer n = JsonValues.exactInt(v.isArray() ? v.get(i) : v);
      if (n == null || n < 0 || n >= strides[i]) {
        throw c.badValue("output_padding", expected);
      }
      out[i] = n;
    }
    return out;
  }

  @Override
  public List<WeightSpec> weights(LayerContext c) {
    Settings s = settings(c);
    List<WeightSpec> w = new ArrayList<>();
    w.add(c.weight("kernel", new long[] {s.kernel()[0], s.kernel()[1], s.filters(), c.inputChannels()}, true,
        "kernel_initializer", Initializer.GLOROT_UNIFORM));
    if (c.bool("use_bias", true)) {
      w.add(c.weight("bias", new long[] {s.filters()}, true, "bias_initializer", Initializer.ZEROS));
    }
    return w;
  }

  @Override
  public LayerOutput call(LayerContext c, List<Operand<TFloat32>> in, List<Operand<TFloat32>> w) {
    Ops tf = c.tf();
    Shape shape = c.inputShape(0);
    if (shape.numDimensions() != 4 || shape.get(1) < 0 || shape.get(2) < 0) {
      throw c.invalid("needs an input of known height and width, got " + shape);
    }
    Settings s = settings(c);
    long h = outputLength(shape.get(1), s, 0);
    long wd = outputLength(shape.get(2), s, 1);
    Operand<TInt32> batch = tf.slice(tf.shape(in.get(0)), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> size = tf.concat(List.of(batch, tf.constant(new int[] {(int) h, (int) wd, s.filters()})),
        tf.constant(0));
    Operand<TFloat32> y = tf.nn.conv2dBackpropInput(size, w.get(0), in.get(0),
        List.of(1L, s.strides()[0], s.strides()[1], 1L), s.padding());
    // The op's static shape is unknown (its size is a tensor): restore it for the layers after.
    y = tf.reshape(y, tf.constant(new long[] {-1, h, wd, s.filters()}));
    return Convolutions.finish(c, y, w.size() > 1 ? w.get(1) : null);
  }

  /** Keras' {@code conv_utils.deconv_output_length} (dilation 1) along spatial axis {@code axis}. */
  private static long outputLength(long n, Settings s, int axis) {
    long k = s.kernel()[axis];
    long stride = s.strides()[axis];
    boolean same = s.padding().equals("SAME");
    if (s.outputPadding() == null) {
      return same ? n * stride : n * stride + Math.max(k - stride, 0);
    }
    return (n - 1) * stride + k - 2 * (same ? k / 2 : 0) + s.outputPadding()[axis];
  }
}
