package dev.convlens.visualize.filters;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The graph ops from a batch of parameters to the model's input, for one (parameterization,
 * picture size, transforms on/off, colour mapping): a model extension, built once. Parameters become
 * a picture (Fourier synthesis by fixed matrices, colour decorrelation, sigmoid), the picture is
 * resampled by each image's random transformation, then mapped to model input by the preprocessing.
 * The backward ops take the model's input gradient ({@code dInput}) and the weights of the picture
 * penalties and give the gradient of the parameters: the chain rule through these ops, which live
 * apart from the model's graph because the model's input is a placeholder.
 *
 * @param spec what the ops were built for
 * @param params the parameter placeholders: pixels {@code [K, H, W, C]}, the spectrum's real and
 *     imaginary parts {@code [H, K * C, W / 2 + 1]} each, or the pyramid's levels {@code [K, h_i, w_i, C]}
 * @param mapY per-image source-row map {@code [K, 3]} (see {@code Transforms.Draw.sourceMap}); null without transforms
 * @param mapX per-image source-column map {@code [K, 3]}; null without transforms
 * @param picture the picture, values 0..1, {@code [K, H, W, C]}
 * @param input the model input, transformed and preprocessed, {@code [K, H, W, C]}
 * @param totalVariation per-image mean absolute difference of neighbouring picture values {@code [K]}
 * @param l2 per-image mean squared distance of the picture from 0.5 {@code [K]}
 * @param dInput seed of the backward pass at the model input
 * @param tvWeight seed at {@code totalVariation}, {@code [K]}
 * @param l2Weight seed at {@code l2}, {@code [K]}
 * @param paramGradients the gradient of each of {@code params}
 */
record ImageGraph(Spec spec, Placeholder<TFloat32>[] params, @Nullable Placeholder<TFloat32> mapY,
    @Nullable Placeholder<TFloat32> mapX, Operand<TFloat32> picture, Operand<TFloat32> input,
    Operand<TFloat32> totalVariation, Operand<TFloat32> l2, Placeholder<TFloat32> dInput,
    Placeholder<TFloat32> tvWeight, Placeholder<TFloat32> l2Weight, Operand<TFloat32>[] paramGradients) {

  /** What distinguishes two builds; {@code decorrelated} only with 3 channels. */
  record Spec(Parameterization.Kind kind, int levels, boolean decorrelated, int height, int width, int channels,
      boolean transforms, ColorMap colors) {
    /** Height and width of each level of a pyramid: {@code ceil(size / 2^i)}. */
    int[][] levelSizes() {
      int[][] sizes = new int[levels][];
      for (int i = 0; i < levels; i++) {
        sizes[i] = new int[] {(height + (1 << i) - 1) >> i, (width + (1 << i) - 1) >> i};
      }
      return sizes;
    }
  }

  static ImageGraph of(KerasModel model, Spec spec) {
    return model.graph().extension(ExtensionKey.of(ImageGraph.class, spec), scope -> build(scope, spec));
  }

  @SuppressWarnings("unchecked")
  private static ImageGraph build(GraphScope scope, Spec spec) {
    int h = spec.height();
    int w = spec.width();
    int c = spec.channels();
    Ops tf = scope.ops("feature_visualization_image");
    Placeholder<TFloat32>[] params;
    Operand<TFloat32> raw;
    if (spec.kind() != Parameterization.Kind.FOURIER) {
      int[][] sizes = spec.levelSizes();
      params = new Placeholder[sizes.length];
      raw = null;
      for (int i = 0; i < sizes.length; i++) {
        params[i] = tf.withName("pixels_" + i).placeholder(TFloat32.class,
            Placeholder.shape(Shape.of(-1, sizes[i][0], sizes[i][1], c)));
        Operand<TFloat32> full = i == 0 ? params[i]
            : tf.image.resizeBilinear(params[i], tf.constant(new int[] {h, w}), ResizeBilinear.halfPixelCenters(true));
        raw = raw == null ? full : tf.math.add(raw, full);
      }
    } else {
      int wf = w / 2 + 1;
      Placeholder<TFloat32> re = tf.withName("spectrum_real").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(h, -1, wf)));
      Placeholder<TFloat32> im = tf.withName("spectrum_imaginary").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(h, -1, wf)));
      params = new Placeholder[] {re, im};
      raw = synthesis(tf, re, im, h, w, c);
    }
    Operand<TFloat32> flat = tf.reshape(raw, tf.constant(new int[] {-1, c}));
    if (spec.decorrelated()) {
      flat = tf.linalg.matMul(flat, tf.constant(Spectrum.decorrelationTransposed()));
    }
    Operand<TFloat32> picture = tf.withName("picture").reshape(tf.math.sigmoid(flat), tf.constant(new int[] {-1, h, w, c}));
    Placeholder<TFloat32> mapY = null;
    Placeholder<TFloat32> mapX = null;
    Operand<TFloat32> moved = picture;
    if (spec.transforms()) {
      mapY = tf.withName("map_y").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      mapX = tf.withName("map_x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      moved = resample(tf, picture, mapY, mapX, h, w, c);
    }
    Operand<TFloat32> mapped = tf.math.add(
        tf.linalg.matMul(tf.reshape(moved, tf.constant(new int[] {-1, c})), tf.constant(spec.colors().matrix())),
        tf.constant(spec.colors().offset()));
    Operand<TFloat32> input = tf.withName("input").reshape(mapped, tf.constant(new int[] {-1, h, w, c}));

    Operand<TInt32> hwc = tf.constant(new int[] {1, 2, 3});
    Operand<TFloat32> down = tf.math.abs(tf.math.sub(
        tf.slice(picture, tf.constant(new int[] {0, 1, 0, 0}), tf.constant(new int[] {-1, h - 1, -1, -1})),
        tf.slice(picture, tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {-1, h - 1, -1, -1}))));
    Operand<TFloat32> across = tf.math.abs(tf.math.sub(
        tf.slice(picture, tf.constant(new int[] {0, 0, 1, 0}), tf.constant(new int[] {-1, -1, w - 1, -1})),
        tf.slice(picture, tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {-1, -1, w - 1, -1}))));
    Operand<TFloat32> tv = tf.withName("total_variation").math.add(tf.math.mean(down, hwc), tf.math.mean(across, hwc));
    Operand<TFloat32> l2 = tf.withName("l2").math.mean(tf.math.square(tf.math.sub(picture, tf.constant(0.5f))), hwc);

    Placeholder<TFloat32> dInput = tf.withName("d_input").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, h, w, c)));
    Placeholder<TFloat32> tvWeight = tf.withName("tv_weight").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TFloat32> l2Weight = tf.withName("l2_weight").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
    Output<?>[] grads = scope.gradients(new Operand<?>[] {input, tv, l2}, params,
        new Operand<?>[] {dInput, tvWeight, l2Weight});
    Operand<TFloat32>[] paramGradients = new Operand[params.length];
    for (int i = 0; i < params.length; i++) {
      paramGradients[i] = grads[i].expect(TFloat32.class);
    }
    return new ImageGraph(spec, params, mapY, mapX, picture, input, tv, l2, dInput, tvWeight, l2Weight, paramGradients);
  }

  /**
   * numpy's {@code irfft2} of the scaled spectrum, divided by 4 (Lucid's constants), as four fixed
   * matrix products: an inverse DFT along the rows, then the real inverse DFT along the columns.
   * Result {@code [K, H, W, C]}.
   */
  private static Operand<TFloat32> synthesis(Ops tf, Operand<TFloat32> re, Operand<TFloat32> im, int h, int w, int c) {
    int wf = w / 2 + 1;
    Spectrum s = new Spectrum(h, w);
    Operand<TFloat32> scale = tf.constant(new float[][][] {s.scale()});
    Operand<TFloat32> scale3 = tf.reshape(scale, tf.constant(new int[] {h, 1, wf}));
    Operand<TInt32> rows = tf.constant(new int[] {-1, wf});
    Operand<TFloat32> ar = tf.reshape(tf.math.mul(re, scale3), rows);
    Operand<TFloat32> ai = tf.reshape(tf.math.mul(im, scale3), rows);
    Operand<TFloat32> cw = tf.constant(s.columnCos());
    Operand<TFloat32> sw = tf.constant(s.columnSin());
    Operand<TFloat32> b1 = tf.math.sub(tf.linalg.matMul(ar, cw), tf.linalg.matMul(ai, sw));
    Operand<TFloat32> b2 = tf.math.add(tf.linalg.matMul(ar, sw), tf.linalg.matMul(ai, cw));
    Operand<TInt32> byRow = tf.constant(new int[] {h, -1});
    Operand<TFloat32> x = tf.math.sub(tf.linalg.matMul(tf.constant(s.rowCos()), tf.reshape(b1, byRow)),
        tf.linalg.matMul(tf.constant(s.rowSin()), tf.reshape(b2, byRow)));
    Operand<TFloat32> hkcw = tf.reshape(x, tf.constant(new int[] {h, -1, c, w}));
    return tf.linalg.transpose(hkcw, tf.constant(new int[] {1, 0, 3, 2}));
  }

  /**
   * Bilinear resampling of each image at its own source coordinates {@code (mapY, mapX) . (y, x, 1)},
   * clamped to the image: four gathers and their weights. The gradient flows to the picture only.
   */
  private static Operand<TFloat32> resample(Ops tf, Operand<TFloat32> picture, Operand<TFloat32> mapY,
      Operand<TFloat32> mapX, int h, int w, int c) {
    float[][] grid = new float[3][h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        grid[0][y * w + x] = y;
        grid[1][y * w + x] = x;
        grid[2][y * w + x] = 1;
      }
    }
    Operand<TFloat32> g = tf.constant(grid);
    Operand<TFloat32> sy = tf.clipByValue(tf.linalg.matMul(mapY, g), tf.constant(0f), tf.constant((float) (h - 1)));
    Operand<TFloat32> sx = tf.clipByValue(tf.linalg.matMul(mapX, g), tf.constant(0f), tf.constant((float) (w - 1)));
    Operand<TFloat32> y0 = tf.math.floor(sy);
    Operand<TFloat32> x0 = tf.math.floor(sx);
    Operand<TFloat32> wy = tf.expandDims(tf.math.sub(sy, y0), tf.constant(-1));
    Operand<TFloat32> wx = tf.expandDims(tf.math.sub(sx, x0), tf.constant(-1));
    Operand<TInt32> y0i = tf.dtypes.cast(y0, TInt32.class);
    Operand<TInt32> x0i = tf.dtypes.cast(x0, TInt32.class);
    Operand<TInt32> y1i = tf.math.minimum(tf.math.add(y0i, tf.constant(1)), tf.constant(h - 1));
    Operand<TInt32> x1i = tf.math.minimum(tf.math.add(x0i, tf.constant(1)), tf.constant(w - 1));
    Operand<TInt32> k = tf.gather(tf.shape(mapY, TInt32.class), tf.constant(0), tf.constant(0));
    Operand<TInt32> base = tf.reshape(tf.math.mul(tf.range(tf.constant(0), k, tf.constant(1)), tf.constant(h * w)),
        tf.constant(new int[] {-1, 1}));
    Operand<TFloat32> flat = tf.reshape(picture, tf.constant(new int[] {-1, c}));
    Operand<TFloat32> g00 = gather(tf, flat, base, y0i, x0i, w);
    Operand<TFloat32> g01 = gather(tf, flat, base, y0i, x1i, w);
    Operand<TFloat32> g10 = gather(tf, flat, base, y1i, x0i, w);
    Operand<TFloat32> g11 = gather(tf, flat, base, y1i, x1i, w);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> top = tf.math.add(tf.math.mul(tf.math.sub(one, wx), g00), tf.math.mul(wx, g01));
    Operand<TFloat32> bottom = tf.math.add(tf.math.mul(tf.math.sub(one, wx), g10), tf.math.mul(wx, g11));
    Operand<TFloat32> out = tf.math.add(tf.math.mul(tf.math.sub(one, wy), top), tf.math.mul(wy, bottom));
    return tf.reshape(out, tf.constant(new int[] {-1, h, w, c}));
  }

  /** {@code flat[base + y * w + x]} for every image and position: {@code [K, H * W, C]}. */
  private static Operand<TFloat32> gather(Ops tf, Operand<TFloat32> flat, Operand<TInt32> base, Operand<TInt32> y,
      Operand<TInt32> x, int w) {
    Operand<TInt32> index = tf.math.add(base, tf.math.add(tf.math.mul(y, tf.constant(w)), x));
    return tf.gatherNd(flat, tf.expandDims(index, tf.constant(-1)));
  }
}
