package dev.convlens.bridge.graph;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.types.TFloat32;

/**
 * Layers that change the spatial size by interpolation, as {@code tf.image.resize} computes it
 * (half-pixel centres, no antialiasing): UpSampling2D, Resizing and CenterCrop. Area resizing is
 * built from two constant matrices instead of TF's ResizeArea, which has no gradient.
 */
final class Resampling {
  private Resampling() {}

  static final LayerBuilder UP_SAMPLING = (c, in, w) -> {
    c.requireChannelsLast();
    Shape s = knownSize(c);
    long[] f = c.pair("size", new long[] {2, 2});
    String method = interpolation(c, "nearest", "nearest", "bilinear");
    requireOutputSize(c, "'size' " + Arrays.toString(f), s, s.get(1) * f[0], s.get(2) * f[1]);
    return LayerOutput.of(resize(c.tf(), in.get(0), s, s.get(1) * f[0], s.get(2) * f[1], method));
  };

  static final LayerBuilder RESIZING = (c, in, w) -> {
    Shape s = knownSize(c);
    long h = c.positiveInt("height");
    long wd = c.positiveInt("width");
    String method = interpolation(c, "bilinear", "bilinear", "nearest", "area");
    requireOutputSize(c, "'height' " + h + " and 'width' " + wd, s, h, wd);
    Sized x = new Sized(in.get(0), s);
    if (c.bool("crop_to_aspect_ratio", false)) {
      x = cropToAspect(c, x, h, wd);
    }
    return LayerOutput.of(resize(c.tf(), x.x(), x.shape(), h, wd, method));
  };

  /** Keras 2's CenterCrop: a central crop, or (input smaller than the target) an aspect-preserving upsize. */
  static final LayerBuilder CENTER_CROP = (c, in, w) -> {
    Shape s = knownSize(c);
    long h = c.positiveInt("height");
    long wd = c.positiveInt("width");
    Ops tf = c.tf();
    requireOutputSize(c, "'height' " + h + " and 'width' " + wd, s, h, wd);
    if (s.get(1) >= h && s.get(2) >= wd) {
      int top = (int) ((s.get(1) - h) / 2);
      int left = (int) ((s.get(2) - wd) / 2);
      return LayerOutput.of(tf.slice(in.get(0), tf.constant(new int[] {0, top, left, 0}),
          tf.constant(new int[] {-1, (int) h, (int) wd, -1})));
    }
    Sized x = cropToAspect(c, new Sized(in.get(0), s), h, wd);
    return LayerOutput.of(resize(tf, x.x(), x.shape(), h, wd, "bilinear"));
  };

  /** A tensor with its static shape. */
  private record Sized(Operand<TFloat32> x, Shape shape) {}

  private static Shape knownSize(LayerContext c) {
    Shape s = c.inputShape(0);
    if (s.numDimensions() != 4 || s.get(1) < 0 || s.get(2) < 0 || s.get(3) < 0) {
      throw c.invalid("needs a 4-D input of known height, width and channels, got " + s);
    }
    return s;
  }

  private static void requireOutputSize(LayerContext c, String fields, Shape in, long h, long w) {
    if ((double) h * w * in.get(3) > GraphBuilder.MAX_VALUES_PER_SAMPLE) {
      throw c.invalid(fields + " give an output of " + h + "x" + w + "x" + in.get(3) + ", more than "
          + GraphBuilder.MAX_VALUES_PER_SAMPLE + " values per sample");
    }
  }

  private static String interpolation(LayerContext c, String fallback, String... supported) {
    String m = c.string("interpolation", fallback).toLowerCase(Locale.ROOT);
    if (!m.matches("[a-z0-9_]{1,20}")) {
      throw c.badValue("interpolation", "an interpolation name");
    }
    if (!List.of(supported).contains(m)) {
      throw c.unsupported("interpolation '" + m + "' (supported here: " + String.join(", ", supported) + ")");
    }
    return m;
  }

  /** The central crop of Keras' {@code smart_resize}: the largest box of the target's aspect ratio. */
  private static Sized cropToAspect(LayerContext c, Sized in, long h, long w) {
    Ops tf = c.tf();
    long height = in.shape().get(1);
    long width = in.shape().get(2);
    // Keras computes these in float32 and truncates.
    long cropH = Math.min(height, (long) (float) (width * h / (double) w));
    long cropW = Math.min(width, (long) (float) (height * w / (double) h));
    if (cropH < 1 || cropW < 1) {
      throw c.invalid("'height' " + h + " and 'width' " + w + " have an aspect ratio that leaves no rows or columns"
          + " of input shape " + in.shape() + " to resize");
    }
    int top = (int) ((height - cropH) / 2);
    int left = (int) ((width - cropW) / 2);
    Operand<TFloat32> x = tf.slice(in.x(), tf.constant(new int[] {0, top, left, 0}),
        tf.constant(new int[] {-1, (int) cropH, (int) cropW, -1}));
    return new Sized(x, Shape.of(in.shape().get(0), cropH, cropW, in.shape().get(3)));
  }

  static Operand<TFloat32> resize(Ops tf, Operand<TFloat32> x, Shape s, long h, long w, String method) {
    if (s.get(1) == h && s.get(2) == w) {
      return x;
    }
    Operand<org.tensorflow.types.TInt32> size = tf.constant(new int[] {(int) h, (int) w});
    Operand<TFloat32> y = switch (method) {
      case "nearest" -> tf.image.resizeNearestNeighbor(x, size, ResizeNearestNeighbor.halfPixelCenters(true));
      case "bilinear" -> tf.image.resizeBilinear(x, size, ResizeBilinear.halfPixelCenters(true));
      case "area" -> area(tf, x, s, h, w);
      default -> throw new IllegalStateException("interpolation " + method);
    };
    return tf.reshape(y, tf.constant(new long[] {-1, h, w, s.get(3)}));
  }

  /** Area resizing as two matrix products, one per spatial axis; the matrices are TF's ResizeArea weights. */
  private static Operand<TFloat32> area(Ops tf, Operand<TFloat32> x, Shape s, long h, long w) {
    long c = s.get(3);
    // [N, H, W, C] -> [N, W, C, H] x A_h^T -> [N, W, C, h] -> [N, h, C, W] x A_w^T -> [N, h, C, w] -> [N, h, w, C]
    Operand<TFloat32> t = tf.linalg.transpose(x, tf.constant(new int[] {0, 2, 3, 1}));
    t = tf.reshape(tf.linalg.matMul(tf.reshape(t, tf.constant(new long[] {-1, s.get(1)})),
        tf.constant(areaWeights(s.get(1), h)), org.tensorflow.op.linalg.MatMul.transposeB(true)),
        tf.constant(new long[] {-1, s.get(2), c, h}));
    t = tf.linalg.transpose(t, tf.constant(new int[] {0, 3, 2, 1}));
    t = tf.reshape(tf.linalg.matMul(tf.reshape(t, tf.constant(new long[] {-1, s.get(2)})),
        tf.constant(areaWeights(s.get(2), w)), org.tensorflow.op.linalg.MatMul.transposeB(true)),
        tf.constant(new long[] {-1, h, c, w}));
    return tf.linalg.transpose(t, tf.constant(new int[] {0, 1, 3, 2}));
  }

  /**
   * Row {@code i}: the share of each input cell in output cell {@code i}, whose extent in input
   * coordinates is {@code [i * scale, (i + 1) * scale)} with {@code scale = in / out}.
   */
  static float[][] areaWeights(long in, long out) {
    double scale = in / (double) out;
    float[][] m = new float[(int) out][(int) in];
    for (int i = 0; i < out; i++) {
      double start = i * scale;
      double end = (i + 1) * scale;
      for (int j = (int) Math.floor(start); j < Math.min(in, Math.ceil(end)); j++) {
        double overlap = Math.min(end, j + 1) - Math.max(start, j);
        if (overlap > 0) {
          m[i][j] = (float) (overlap / scale);
        }
      }
    }
    return m;
  }
}
