package dev.convlens.bridge.applications;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The VGG16 architecture as the Keras model config that tf.keras 2.x
 * {@code keras.applications.VGG16(include_top, weights, input_shape, pooling, classes,
 * classifier_activation).to_json()} produces: same layer names ({@code input_1},
 * {@code block1_conv1} ... {@code block5_pool}, {@code flatten}, {@code fc1}, {@code fc2},
 * {@code predictions}), same configs. Weights are not part of it: see {@link Options#weightFile()}.
 *
 * <pre>{@code
 * String config = Vgg16.Options.defaults().withIncludeTop(false).withInputSize(150, 150).withPooling(Pooling.AVG).config();
 * }</pre>
 */
public final class Vgg16 {
  /** The last convolutional layer, the usual Grad-CAM target. */
  public static final String LAST_CONV_LAYER = "block5_conv3";

  static final String MODEL = "VGG16";
  static final int DEFAULT_SIZE = 224;
  /** Filters and number of 3x3 convolutions of the five blocks. */
  private static final int[][] BLOCKS = {{64, 2}, {128, 2}, {256, 3}, {512, 3}, {512, 3}};

  private Vgg16() {}

  /**
   * The arguments of {@code keras.applications.VGG16}; immutable, change one with its wither. Input
   * channels are always 3. Combinations are checked by {@link #config()} and {@link #weightFile()}.
   *
   * @param includeTop whether to add Flatten, fc1, fc2 and the {@code predictions} classifier
   * @param height input height in pixels (Keras' default 224)
   * @param width input width in pixels (Keras' default 224)
   * @param pooling global pooling after {@code block5_pool}; only without the top
   * @param classes number of classes of the top
   * @param classifierActivation activation of {@code predictions}; "linear" stands for Keras' None
   * @param imagenetWeights {@code weights='imagenet'} (true) or {@code weights=None} (false); with
   *     ImageNet weights Keras requires 224x224, 1000 classes and softmax/linear when the top is included
   */
  public record Options(boolean includeTop, int height, int width, Pooling pooling, int classes,
      String classifierActivation, boolean imagenetWeights) {
    public Options {
      Checks.notNull(MODEL, "pooling", pooling);
      Checks.notNull(MODEL, "classifierActivation", classifierActivation);
      Checks.inputSize(MODEL, height, width);
      Checks.classes(MODEL, classes);
      if (!Checks.ACTIVATIONS.contains(classifierActivation)) {
        throw Checks.invalid(MODEL, "classifierActivation", "'" + classifierActivation + "'",
            "must be one of " + new TreeSet<>(Checks.ACTIVATIONS));
      }
    }

    /** Keras' defaults: top included, 224x224, no pooling, 1000 classes, softmax, ImageNet weights. */
    public static Options defaults() {
      return new Options(true, DEFAULT_SIZE, DEFAULT_SIZE, Pooling.NONE, 1000, "softmax", true);
    }

    public Options withIncludeTop(boolean includeTop) {
      return new Options(includeTop, height, width, pooling, classes, classifierActivation, imagenetWeights);
    }

    public Options withInputSize(int height, int width) {
      return new Options(includeTop, height, width, pooling, classes, classifierActivation, imagenetWeights);
    }

    public Options withPooling(Pooling pooling) {
      return new Options(includeTop, height, width, pooling, classes, classifierActivation, imagenetWeights);
    }

    public Options withClasses(int classes) {
      return new Options(includeTop, height, width, pooling, classes, classifierActivation, imagenetWeights);
    }

    public Options withClassifierActivation(String classifierActivation) {
      return new Options(includeTop, height, width, pooling, classes, classifierActivation, imagenetWeights);
    }

    public Options withImagenetWeights(boolean imagenetWeights) {
      return new Options(includeTop, height, width, pooling, classes, classifierActivation, imagenetWeights);
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
      if (!imagenetWeights) {
        return Optional.empty();
      }
      return Optional.of(includeTop ? WeightFile.VGG16 : WeightFile.VGG16_NOTOP);
    }

    /** The cross-option rules of Keras' VGG16 and {@code obtain_input_shape}. */
    private void validate() {
      if (includeTop && pooling != Pooling.NONE) {
        throw Checks.invalid(MODEL, "pooling", pooling,
            "global pooling applies only without the top; use withIncludeTop(false) or Pooling.NONE");
      }
      if (includeTop && imagenetWeights) {
        if (height != DEFAULT_SIZE || width != DEFAULT_SIZE) {
          throw Checks.invalid(MODEL, "inputSize", height + "x" + width,
              "with the top and ImageNet weights the input must be 224x224 (fc1 has 25088 inputs);"
                  + " use withIncludeTop(false) or withImagenetWeights(false) for other sizes");
        }
        if (classes != 1000) {
          throw Checks.invalid(MODEL, "classes", classes,
              "with the top and ImageNet weights there are 1000 classes; use withImagenetWeights(false) for another count");
        }
        if (!classifierActivation.equals("softmax") && !classifierActivation.equals("linear")) {
          throw Checks.invalid(MODEL, "classifierActivation", "'" + classifierActivation + "'",
              "with ImageNet weights only 'softmax' or 'linear' (None) are allowed");
        }
      }
    }
  }

  private static ObjectNode build(Options o) {
    LayerChain chain = new LayerChain("vgg16", LayerConfigs.input("input_1", o.height(), o.width(), 3));
    for (int b = 0; b < BLOCKS.length; b++) {
      int filters = BLOCKS[b][0];
      for (int i = 1; i <= BLOCKS[b][1]; i++) {
        String name = "block" + (b + 1) + "_conv" + i;
        chain.then("Conv2D", LayerConfigs.conv2d(name, filters, 3, 1, "same", "relu", true));
      }
      chain.then("MaxPooling2D", LayerConfigs.maxPooling2d("block" + (b + 1) + "_pool", 2, 2));
    }
    if (o.includeTop()) {
      chain.then("Flatten", LayerConfigs.flatten("flatten"))
          .then("Dense", LayerConfigs.dense("fc1", 4096, "relu"))
          .then("Dense", LayerConfigs.dense("fc2", 4096, "relu"))
          .then("Dense", LayerConfigs.dense("predictions", o.classes(), o.classifierActivation()));
    } else if (o.pooling() == Pooling.AVG) {
      // tf.keras names the first layer of a class in a fresh session without a suffix.
      chain.then("GlobalAveragePooling2D", LayerConfigs.globalPooling2d("global_average_pooling2d"));
    } else if (o.pooling() == Pooling.MAX) {
      chain.then("GlobalMaxPooling2D", LayerConfigs.globalPooling2d("global_max_pooling2d"));
    }
    return chain.toModelJson();
  }
}
