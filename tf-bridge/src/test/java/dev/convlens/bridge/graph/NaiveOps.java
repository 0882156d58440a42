package dev.convlens.bridge.graph;

import dev.convlens.bridge.FloatTensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Plain-Java reference versions of the Keras layers, written from the Keras/TF definitions with
 * naive loops and double accumulation, independent of the loader: the expected values of
 * {@link LayerSemanticsTest}. Tensors are row-major, NHWC for images.
 */
final class NaiveOps {
  private NaiveOps() {}

  /** A double tensor; {@code shape} includes the batch axis. */
  record T(long[] shape, double[] v) {
    static T of(FloatTensor a) {
      double[] d = new double[a.data().length];
      for (int i = 0; i < d.length; i++) {
        d[i] = a.data()[i];
      }
      return new T(a.shape().clone(), d);
    }

    static T zeros(long... shape) {
      return new T(shape, new double[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)]);
    }

    int dim(int i) {
      return (int) shape[i];
    }

    /** Flat index of (n, h, w, c) in a rank-4 tensor. */
    int at(int n, int h, int w, int c) {
      return ((n * dim(1) + h) * dim(2) + w) * dim(3) + c;
    }

    T map(DoubleUnaryOperator f) {
      return new T(shape.clone(), Arrays.stream(v).map(f).toArray());
    }

    T reshape(long... newShape) {
      return new T(newShape, v.clone());
    }
  }

  /** Output size and padding before the data, by TF's rule for 'same' (out = ceil(in/s)) and 'valid'. */
  record Window(int out, int before) {
    static Window of(int in, int kernel, int stride, int dilation, boolean same) {
      int effective = (kernel - 1) * dilation + 1;
      if (!same) {
        return new Window((in - effective) / stride + 1, 0);
      }
      int out = (in + stride - 1) / stride;
      int total = Math.max((out - 1) * stride + effective - in, 0);
      return new Window(out, total / 2);
    }
  }

  /** Conv2D with an HWIO kernel {@code [kh, kw, C, F]}, optional bias; square strides and dilation. */
  static T conv2d(T x, FloatTensor kernel, FloatTensor bias, int stride, int dilation, boolean same) {
    int kh = (int) kernel.dim(0);
    int kw = (int) kernel.dim(1);
    int cin = (int) kernel.dim(2);
    int f = (int) kernel.dim(3);
    Window wh = Window.of(x.dim(1), kh, stride, dilation, same);
    Window ww = Window.of(x.dim(2), kw, stride, dilation, same);
    T y = T.zeros(x.shape[0], wh.out(), ww.out(), f);
    for (int n = 0; n < x.dim(0); n++) {
      for (int oh = 0; oh < wh.out(); oh++) {
        for (int ow = 0; ow < ww.out(); ow++) {
          for (int o = 0; o < f; o++) {
            double sum = bias == null ? 0 : bias.data()[o];
            for (int i = 0; i < kh; i++) {
              for (int j = 0; j < kw; j++) {
                int ih = oh * stride + i * dilation - wh.before();
                int iw = ow * stride + j * dilation - ww.before();
                if (ih < 0 || iw < 0 || ih >= x.dim(1) || iw >= x.dim(2)) {
                  continue;
                }
                for (int c = 0; c < cin; c++) {
                  sum += x.v[x.at(n, ih, iw, c)] * kernel.data()[((i * kw + j) * cin + c) * f + o];
                }
              }
            }
            y.v[y.at(n, oh, ow, o)] = sum;
          }
        }
      }
    }
    return y;
  }

  /** DepthwiseConv2D with kernel {@code [kh, kw, C, M]}: output channel {@code c * M + m}. */
  static T depthwise(T x, FloatTensor kernel, FloatTensor bias, int stride, boolean same) {
    int kh = (int) kernel.dim(0);
    int kw = (int) kernel.dim(1);
    int ch = (int) kernel.dim(2);
    int mult = (int) kernel.dim(3);
    Window wh = Window.of(x.dim(1), kh, stride, 1, same);
    Window ww = Window.of(x.dim(2), kw, stride, 1, same);
    T y = T.zeros(x.shape[0], wh.out(), ww.out(), (long) ch * mult);
    for (int n = 0; n < x.dim(0); n++) {
      for (int oh = 0; oh < wh.out(); oh++) {
        for (int ow = 0; ow < ww.out(); ow++) {
          for (int c = 0; c < ch; c++) {
            for (int m = 0; m < mult; m++) {
              double sum = bias == null ? 0 : bias.data()[c * mult + m];
              for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                  int ih = oh * stride + i - wh.before();
                  int iw = ow * stride + j - ww.before();
                  if (ih >= 0 && iw >= 0 && ih < x.dim(1) && iw < x.dim(2)) {
                    sum += x.v[x.at(n, ih, iw, c)] * kernel.data()[((i * kw + j) * ch + c) * mult + m];
                  }
                }
              }
              y.v[y.at(n, oh, ow, c * mult + m)] = sum;
            }
          }
        }
      }
    }
    return y;
  }

  /** Dense on the last axis: kernel {@code [in, units]}. */
  static T dense(T x, FloatTensor kernel, FloatTensor bias) {
    int in = (int) kernel.dim(0);
    int units = (int) kernel.dim(1);
    int rows = x.v.length / in;
    long[] shape = x.shape.clone();
    shape[shape.length - 1] = units;
    T y = T.zeros(shape);
    for (int r = 0; r < rows; r++) {
      for (int u = 0; u < units; u++) {
        double sum = bias == null ? 0 : bias.data()[u];
        for (int i = 0; i < in; i++) {
          sum += x.v[r * in + i] * kernel.data()[i * units + u];
        }
        y.v[r * units + u] = sum;
      }
    }
    return y;
  }

  /**
   * Max or average pooling. Padding positions never count: for max that is padding with -inf, for
   * average TF divides by the number of real values under the window.
   */
  static T pool(T x, int k, int stride, boolean same, boolean max) {
    Window wh = Window.of(x.dim(1), k, stride, 1, same);
    Window ww = Window.of(x.dim(2), k, stride, 1, same);
    T y = T.zeros(x.shape[0], wh.out(), ww.out(), x.shape[3]);
    for (int n = 0; n < x.dim(0); n++) {
      for (int oh = 0; oh < wh.out(); oh++) {
        for (int ow = 0; ow < ww.out(); ow++) {
          for (int c = 0; c < x.dim(3); c++) {
            double acc = max ? Double.NEGATIVE_INFINITY : 0;
            int count = 0;
            for (int i = 0; i < k; i++) {
              for (int j = 0; j < k; j++) {
                int ih = oh * stride + i - wh.before();
                int iw = ow * stride + j - ww.before();
                if (ih >= 0 && iw >= 0 && ih < x.dim(1) && iw < x.dim(2)) {
                  double v = x.v[x.at(n, ih, iw, c)];
                  acc = max ? Math.max(acc, v) : acc + v;
                  count++;
                }
              }
            }
            y.v[y.at(n, oh, ow, c)] = max ? acc : acc / count;
          }
        }
      }
    }
    return y;
  }

  /** Global pooling over H and W; with {@code keepDims} the result is {@code [N, 1, 1, C]}. */
  static T globalPool(T x, boolean max, boolean keepDims) {
    int ch = x.dim(3);
    T y = keepDims ? T.zeros(x.shape[0], 1, 1, ch) : T.zeros(x.shape[0], ch);
    for (int n = 0; n < x.dim(0); n++) {
      for (int c = 0; c < ch; c++) {
        double acc = max ? Double.NEGATIVE_INFINITY : 0;
        for (int h = 0; h < x.dim(1); h++) {
          for (int w = 0; w < x.dim(2); w++) {
            double v = x.v[x.at(n, h, w, c)];
            acc = max ? Math.max(acc, v) : acc + v;
          }
        }
        y.v[n * ch + c] = max ? acc : acc / (x.dim(1) * x.dim(2));
      }
    }
    return y;
  }

  /** ZeroPadding2D with {@code [[top, bottom], [left, right]]}. */
  static T zeroPad(T x, int top, int bottom, int left, int right) {
    T y = T.zeros(x.shape[0], x.shape[1] + top + bottom, x.shape[2] + left + right, x.shape[3]);
    for (int n = 0; n < x.dim(0); n++) {
      for (int h = 0; h < x.dim(1); h++) {
        for (int w = 0; w < x.dim(2); w++) {
          for (int c = 0; c < x.dim(3); c++) {
            y.v[y.at(n, h + top, w + left, c)] = x.v[x.at(n, h, w, c)];
          }
        }
      }
    }
    return y;
  }

  /** Cropping2D with {@code [[top, bottom], [left, right]]}. */
  static T crop(T x, int top, int bottom, int left, int right) {
    T y = T.zeros(x.shape[0], x.shape[1] - top - bottom, x.shape[2] - left - right, x.shape[3]);
    for (int n = 0; n < y.dim(0); n++) {
      for (int h = 0; h < y.dim(1); h++) {
        for (int w = 0; w < y.dim(2); w++) {
          for (int c = 0; c < y.dim(3); c++) {
            y.v[y.at(n, h, w, c)] = x.v[x.at(n, h + top, w + left, c)];
          }
        }
      }
    }
    return y;
  }

  /** Flatten of NHWC: element (h, w, c) lands at {@code (h * W + w) * C + c}. */
  static T flatten(T x) {
    int hwc = x.dim(1) * x.dim(2) * x.dim(3);
    T y = T.zeros(x.shape[0], hwc);
    for (int n = 0; n < x.dim(0); n++) {
      for (int h = 0; h < x.dim(1); h++) {
        for (int w = 0; w < x.dim(2); w++) {
          for (int c = 0; c < x.dim(3); c++) {
            y.v[n * hwc + (h * x.dim(2) + w) * x.dim(3) + c] = x.v[x.at(n, h, w, c)];
          }
        }
      }
    }
    return y;
  }

  /** Inference BatchNormalization on the last axis; null gamma/beta mean scale/center off. */
  static T batchNorm(T x, FloatTensor gamma, FloatTensor beta, FloatTensor mean, FloatTensor variance, double eps) {
    int ch = (int) x.shape[x.shape.length - 1];
    double[] y = new double[x.v.length];
    for (int i = 0; i < y.length; i++) {
      int c = i % ch;
      double norm = (x.v[i] - mean.data()[c]) / Math.sqrt(variance.data()[c] + eps);
      y[i] = norm * (gamma == null ? 1 : gamma.data()[c]) + (beta == null ? 0 : beta.data()[c]);
    }
    return new T(x.shape.clone(), y);
  }

  /** Softmax over the last axis. */
  static T softmax(T x) {
    int ch = (int) x.shape[x.shape.length - 1];
    double[] y = new double[x.v.length];
    for (int r = 0; r < y.length / ch; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < ch; c++) {
        max = Math.max(max, x.v[r * ch + c]);
      }
      double sum = 0;
      for (int c = 0; c < ch; c++) {
        y[r * ch + c] = Math.exp(x.v[r * ch + c] - max);
        sum += y[r * ch + c];
      }
      for (int c = 0; c < ch; c++) {
        y[r * ch + c] /= sum;
      }
    }
    return new T(x.shape.clone(), y);
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** The Keras activation functions by name (Keras 2 definitions; hard_sigmoid is clip(0.2x + 0.5, 0, 1)). */
  static T activation(String name, T x) {
    double seluAlpha = 1.6732632423543772848170429916717;
    double seluScale = 1.0507009873554804934193349852946;
    return switch (name) {
      case "linear" -> x.map(v -> v);
      case "relu" -> x.map(v -> Math.max(v, 0));
      case "relu6" -> x.map(v -> Math.min(Math.max(v, 0), 6));
      case "sigmoid" -> x.map(NaiveOps::sigmoid);
      case "tanh" -> x.map(Math::tanh);
      case "elu" -> x.map(v -> v > 0 ? v : Math.expm1(v));
      case "selu" -> x.map(v -> seluScale * (v > 0 ? v : seluAlpha * Math.expm1(v)));
      case "softplus" -> x.map(v -> Math.log1p(Math.exp(v)));
      case "softsign" -> x.map(v -> v / (1 + Math.abs(v)));
      case "swish", "silu" -> x.map(v -> v * sigmoid(v));
      case "exponential" -> x.map(Math::exp);
      case "hard_sigmoid" -> x.map(v -> Math.min(Math.max(0.2 * v + 0.5, 0), 1));
      case "softmax" -> softmax(x);
      default -> throw new IllegalArgumentException(name);
    };
  }

  /**
   * The Keras ReLU layer as keras.backend.relu computes it: values above the threshold pass (the
   * rest become 0), then the cap clips to [0, max_value], then {@code slope * (x - threshold)} is
   * added below the threshold.
   */
  static T relu(T x, Double maxValue, double slope, double threshold) {
    return x.map(v -> {
      double y = v > threshold ? v : 0;
      if (maxValue != null) {
        y = Math.min(Math.max(y, 0), maxValue);
      }
      if (slope != 0) {
        y -= slope * Math.max(threshold - v, 0);
      }
      return y;
    });
  }

  /** Elementwise fold of same-shape tensors. */
  static T fold(List<T> xs, java.util.function.DoubleBinaryOperator op) {
    double[] y = xs.get(0).v.clone();
    for (int k = 1; k < xs.size(); k++) {
      for (int i = 0; i < y.length; i++) {
        y[i] = op.applyAsDouble(y[i], xs.get(k).v[i]);
      }
    }
    return new T(xs.get(0).shape.clone(), y);
  }

  /** Concatenation of rank-4 tensors along {@code axis} (1 = H, 2 = W, 3 = C). */
  static T concat(List<T> xs, int axis) {
    long[] shape = xs.get(0).shape.clone();
    shape[axis] = xs.stream().mapToLong(t -> t.shape[axis]).sum();
    T y = T.zeros(shape);
    int offset = 0;
    for (T x : xs) {
      for (int n = 0; n < x.dim(0); n++) {
        for (int h = 0; h < x.dim(1); h++) {
          for (int w = 0; w < x.dim(2); w++) {
            for (int c = 0; c < x.dim(3); c++) {
              int[] o = {n, h, w, c};
              o[axis] += offset;
              y.v[y.at(o[0], o[1], o[2], o[3])] = x.v[x.at(n, h, w, c)];
            }
          }
        }
      }
      offset += x.dim(axis);
    }
    return y;
  }

  /** {@code x * scale[c] + offset[c]} with per-channel (length C) or scalar (length 1) factors. */
  static T rescale(T x, double[] scale, double[] offset) {
    int ch = (int) x.shape[x.shape.length - 1];
    double[] y = new double[x.v.length];
    for (int i = 0; i < y.length; i++) {
      int c = i % ch;
      y[i] = x.v[i] * scale[scale.length == 1 ? 0 : c] + offset[offset.length == 1 ? 0 : c];
    }
    return new T(x.shape.clone(), y);
  }

  /**
   * Conv2DTranspose by its definition: every input value scatters {@code x * kernel} into the full
   * result of length {@code (n - 1) * s + k}, read from {@code before} (TF's 'same' offset, 0 for
   * 'valid'); positions past the full result are 0. Kernel {@code [kh, kw, F, C]}.
   */
  static T conv2dTranspose(T x, FloatTensor kernel, FloatTensor bias, int stride, int outH, int outW, boolean same) {
    int k = (int) kernel.shape()[0];
    int f = (int) kernel.shape()[2];
    int ch = x.dim(3);
    int fullH = (x.dim(1) - 1) * stride + k;
    int fullW = (x.dim(2) - 1) * stride + k;
    int beforeH = same ? Math.max(fullH - outH, 0) / 2 : 0;
    int beforeW = same ? Math.max(fullW - outW, 0) / 2 : 0;
    T y = T.zeros(x.dim(0), outH, outW, f);
    for (int n = 0; n < x.dim(0); n++) {
      for (int i = 0; i < x.dim(1); i++) {
        for (int j = 0; j < x.dim(2); j++) {
          for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
              int oh = i * stride + a - beforeH;
              int ow = j * stride + b - beforeW;
              if (oh < 0 || ow < 0 || oh >= outH || ow >= outW) {
                continue;
              }
              for (int o = 0; o < f; o++) {
                double sum = 0;
                for (int c = 0; c < ch; c++) {
                  sum += x.v[x.at(n, i, j, c)] * kernel.data()[((a * k + b) * f + o) * ch + c];
                }
                y.v[y.at(n, oh, ow, o)] += sum;
              }
            }
          }
        }
      }
    }
    if (bias != null) {
      for (int i = 0; i < y.v.length; i++) {
        y.v[i] += bias.data()[i % f];
      }
    }
    return y;
  }

  /** {@code tf.image.resize} bilinear or nearest with half-pixel centres and no antialiasing. */
  static T resize(T x, int outH, int outW, boolean bilinear) {
    T y = T.zeros(x.dim(0), outH, outW, x.dim(3));
    for (int n = 0; n < x.dim(0); n++) {
      for (int i = 0; i < outH; i++) {
        for (int j = 0; j < outW; j++) {
          for (int c = 0; c < x.dim(3); c++) {
            y.v[y.at(n, i, j, c)] = bilinear ? bilinearAt(x, n, c, (i + 0.5) * x.dim(1) / outH - 0.5,
                (j + 0.5) * x.dim(2) / outW - 0.5)
                : x.v[x.at(n, Math.min((int) Math.floor((i + 0.5) * x.dim(1) / outH), x.dim(1) - 1),
                    Math.min((int) Math.floor((j + 0.5) * x.dim(2) / outW), x.dim(2) - 1), c)];
          }
        }
      }
    }
    return y;
  }

  private static double bilinearAt(T x, int n, int c, double sh, double sw) {
    int h0 = Math.max((int) Math.floor(sh), 0);
    int h1 = Math.min((int) Math.ceil(sh), x.dim(1) - 1);
    int w0 = Math.max((int) Math.floor(sw), 0);
    int w1 = Math.min((int) Math.ceil(sw), x.dim(2) - 1);
    double dh = sh - Math.floor(sh);
    double dw = sw - Math.floor(sw);
    double top = x.v[x.at(n, h0, w0, c)] * (1 - dw) + x.v[x.at(n, h0, w1, c)] * dw;
    double bottom = x.v[x.at(n, h1, w0, c)] * (1 - dw) + x.v[x.at(n, h1, w1, c)] * dw;
    return top * (1 - dh) + bottom * dh;
  }

  /** PReLU with {@code alpha} broadcast from its (possibly size-1) axes to the input's shape. */
  static T prelu(T x, FloatTensor alpha) {
    long[] a = alpha.shape();
    double[] y = new double[x.v.length];
    for (int n = 0; n < x.dim(0); n++) {
      for (int h = 0; h < x.dim(1); h++) {
        for (int w = 0; w < x.dim(2); w++) {
          for (int c = 0; c < x.dim(3); c++) {
            int ai = (int) (((a[0] == 1 ? 0 : h) * a[1] + (a[1] == 1 ? 0 : w)) * a[2] + (a[2] == 1 ? 0 : c));
            double v = x.v[x.at(n, h, w, c)];
            y[x.at(n, h, w, c)] = v >= 0 ? v : alpha.data()[ai] * v;
          }
        }
      }
    }
    return new T(x.shape.clone(), y);
  }

  /** Transposes the non-batch axes: output axis {@code i + 1} is input axis {@code dims[i]}. */
  static T permute(T x, int... dims) {
    long[] shape = {x.shape[0], x.shape[dims[0]], x.shape[dims[1]], x.shape[dims[2]]};
    T y = T.zeros(shape);
    for (int n = 0; n < x.dim(0); n++) {
      for (int h = 0; h < x.dim(1); h++) {
        for (int w = 0; w < x.dim(2); w++) {
          for (int c = 0; c < x.dim(3); c++) {
            int[] idx = {n, h, w, c};
            y.v[y.at(n, idx[dims[0]], idx[dims[1]], idx[dims[2]])] = x.v[x.at(n, h, w, c)];
          }
        }
      }
    }
    return y;
  }
}
