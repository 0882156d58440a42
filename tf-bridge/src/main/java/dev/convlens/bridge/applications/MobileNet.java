package dev.convlens.bridge.applications;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Optional;

/**
 * MobileNet v1 as the Keras model config of the Keras 2.0.4 {@code keras.applications.MobileNet}
 * that wrote the official {@code mobilenet_<alpha>_<size>_tf.h5} weight files: its layer names
 * ({@code conv1}, {@code conv_dw_1} ... {@code conv_pw_13_relu}, {@code global_average_pooling2d_1},
 * {@code reshape_1}, {@code dropout}, {@code conv_preds}, {@code act_softmax}, {@code reshape_2})
 * equal the file's root {@code layer_names}, so the weights map onto it layer by layer.
 *
 * <p>The configs use the tf.keras 2.x key set, like {@link Vgg16}. Two faithful-to-2.0.4 choices:
 * the ReLU6 layers are {@code Activation} layers with activation {@code "relu6"} (2.0.4 had
 * {@code Activation(relu6)}, later Keras a {@code ReLU(6.)} layer), and stride-2 convolutions use
 * {@code 'same'} padding without the {@code conv_pad_*} ZeroPadding2D layers later versions insert
 * (identical results on even input sizes).
 */
public final class MobileNet {
  /** The last convolutional activation, the usual Grad-CAM target. */
  public static final String LAST_CONV_LAYER = "conv_pw_13_relu";

  static final String MODEL = "MobileNet";
  static final int DEFAULT_SIZE = 224;
  /** Pointwise filters (before alpha) of depthwise blocks 1..13. */
  private static final int[] POINTWISE_FILTERS = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};

  private MobileNet() {}

  /**
   * The arguments of Keras 2.0.4 {@code keras.applications.MobileNet} (depth multiplier fixed at 1);
   * immutable, change one with its wither. Input channels are always 3. Combinations are checked by
   * {@link #config()} and {@link #weightFile()}.
   *
   * @param alpha width multiplier: every layer has {@code int(filters * alpha)} filters
   * @param height input height in pixels
   * @param width input width in pixels
   * @param includeTop whether to add the classifier (global pooling, {@code conv_preds}, softmax)
   * @param pooling global pooling after {@code conv_pw_13_relu}; only without the top
   * @param classes number of classes of the top
   * @param dropout dropout rate before {@code conv_preds}, in [0, 1)
   * @param imagenetWeights {@code weights='imagenet'} (true) or {@code None} (false); ImageNet
   *     weights exist for alpha 0.25/0.5/0.75/1.0 and square inputs of 128/160/192/224, with 1000
   *     classes when the top is included
   */
  public record Options(double alpha, int height, int width, boolean includeTop, Pooling pooling, int classes,
      double dropout, boolean imagenetWeights) {
    public Options {
      Checks.notNull(MODEL, "pooling", pooling);
      if (!(alpha > 0) || Double.isInfinite(alpha) || (int) (32 * alpha) < 1) {
        throw Checks.invalid(MODEL, "alpha", alpha,
            "must be a finite number of at least 1/32 (so that every layer keeps a filter)");
      }
      Checks.inputSize(MODEL, height, width);
      Checks.classes(MODEL, classes);
      if (!(dropout >= 0 && dropout < 1)) {
        throw Checks.invalid(MODEL, "dropout", dropout, "must be in [0, 1)");
      }
    }

    /** Keras' defaults: alpha 1.0, 224x224, top included, no pooling, 1000 classes, dropout 1e-3, ImageNet weights. */
    public static Options defaults() {
      return new Options(1.0, DEFAULT_SIZE, DEFAULT_SIZE, true, Pooling.NONE, 1000, 1e-3, true);
    }

    public Options withAlpha(double alpha) {
      return new Options(alpha, height, width, includeTop, pooling, classes, dropout, imagenetWeights);
    }

    /** A square input, the only kind ImageNet weights exist for. */
    public Options withInputSize(int size) {
      return withInputSize(size, size);
    }

    public Options withInputSize(int height, int width) {
      return new Options(alpha, height, width, includeTop, pooling, classes, dropout, imagenetWeights);
    }

    public Options withIncludeTop(boolean includeTop) {
      return new Options(alpha, height, width, includeTop, pooling, classes, dropout, imagenetWeights);
    }

    public Options withPooling(Pooling pooling) {
      return new Options(alpha, height, width, includeTop, pooling, classes, dropout, imagenetWeights);
    }

    public Options withClasses(int classes) {
      return new Options(alpha, height, width, includeTop, pooling, classes, dropout, imagenetWeights);
    }

    public Options withDropout(double dropout) {
      return new Options(alpha, height, width, includeTop, pooling, classes, dropout, imagenetWeights);
    }

    public Options withImagenetWeights(boolean imagenetWeights) {
      return new Options(alpha, height, width, includeTop, pooling, classes, dropout, imagenetWeights);
    }

    /**
     * The model config as JSON text ({@code model.to_json()}), for {@code KerasModel.fromConfig}.
     *
     * @throws dev.convlens.bridge.ConvlensException naming the option when the combination is one Keras rejects
     */
    public String config() {
      validate();
      return build(this).toString();
    }

    /** The ImageNet weight file these options load, or empty with {@code withImagenetWeights(false)}. */
    public Optional<WeightFile> weightFile() {
      validate();
      return imagenetWeights ? Optional.of(WeightFile.mobileNet(alpha, height, includeTop)) : Optional.empty();
    }

    private void validate() {
      if (includeTop && pooling != Pooling.NONE) {
        throw Checks.invalid(MODEL, "pooling", pooling,
            "global pooling applies only without the top; use withIncludeTop(false) or Pooling.NONE");
      }
      if (!imagenetWeights) {
        return;
      }
      boolean knownAlpha = false;
      for (double a : WeightFile.MOBILENET_ALPHAS) {
        knownAlpha |= a == alpha;
      }
      if (!knownAlpha) {
        throw Checks.invalid(MODEL, "alpha", alpha,
            "ImageNet weights exist for 0.25, 0.5, 0.75 and 1.0 only; use withImagenetWeights(false) for other values");
      }
      boolean knownSize = false;
      for (int s : WeightFile.MOBILENET_SIZES) {
        knownSize |= s == height && s == width;
      }
      if (!knownSize) {
        throw Checks.invalid(MODEL, "inputSize", height + "x" + width,
            "ImageNet weights exist for square inputs of 128, 160, 192 and 224 pixels only;"
                + " use withImagenetWeights(false) for other sizes");
      }
      if (includeTop && classes != 1000) {
        throw Checks.invalid(MODEL, "classes", classes,
            "with the top and ImageNet weights there are 1000 classes; use withImagenetWeights(false) for another count");
      }
    }
  }

  /** Keras: {@code filters = int(filters * alpha)}; Java's double product and truncation match Python's. */
  static int scaled(int filters, double alpha) {
    return (int) (filters * alpha);
  }

  private static ObjectNode build(Options o) {
    String name = String.format(Locale.ROOT, "mobilenet_%.2f_%d", o.alpha(), o.height());
    LayerChain chain = new LayerChain(name, LayerConfigs.input("input_1", o.height(), o.width(), 3));
    chain.then("Conv2D", LayerConfigs.conv2d("conv1", scaled(32, o.alpha()), 3, 2, "same", "linear", false))
        .then("BatchNormalization", LayerConfigs.batchNorm("conv1_bn"))
        .then("Activation", LayerConfigs.activation("conv1_relu", "relu6"));
    for (int i = 1; i <= POINTWISE_FILTERS.length; i++) {
      int stride = i == 2 || i == 4 || i == 6 || i == 12 ? 2 : 1;
      String dw = "conv_dw_" + i;
      String pw = "conv_pw_" + i;
      chain.then("DepthwiseConv2D", LayerConfigs.depthwiseConv2d(dw, 3, stride, "same", 1, "linear", false))
          .then("BatchNormalization", LayerConfigs.batchNorm(dw + "_bn"))
          .then("Activation", LayerConfigs.activation(dw + "_relu", "relu6"))
          .then("Conv2D", LayerConfigs.conv2d(pw, scaled(POINTWISE_FILTERS[i - 1], o.alpha()), 1, 1, "same",
              "linear", false))
          .then("BatchNormalization", LayerConfigs.batchNorm(pw + "_bn"))
          .then("Activation", LayerConfigs.activation(pw + "_relu", "relu6"));
    }
    // Keras 2.0.4 left the pooling layers unnamed; its auto-names started at _1.
    if (o.includeTop()) {
      chain.then("GlobalAveragePooling2D", LayerConfigs.globalPooling2d("global_average_pooling2d_1"))
          .then("Reshape", LayerConfigs.reshape("reshape_1", 1, 1, scaled(1024, o.alpha())))
          .then("Dropout", LayerConfigs.dropout("dropout", o.dropout()))
          .then("Conv2D", LayerConfigs.conv2d("conv_preds", o.classes(), 1, 1, "same", "linear", true))
          .then("Activation", LayerConfigs.activation("act_softmax", "softmax"))
          .then("Reshape", LayerConfigs.reshape("reshape_2", o.classes()));
    } else if (o.pooling() == Pooling.AVG) {
      chain.then("GlobalAveragePooling2D", LayerConfigs.globalPooling2d("global_average_pooling2d_1"));
    } else if (o.pooling() == Pooling.MAX) {
      chain.then("GlobalMaxPooling2D", LayerConfigs.globalPooling2d("global_max_pooling2d_1"));
    }
    return chain.toModelJson();
  }
}
