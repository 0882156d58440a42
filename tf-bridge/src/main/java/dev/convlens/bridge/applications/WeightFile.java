package dev.convlens.bridge.applications;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.InvalidInputException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A file that Keras downloads into its cache ({@code ~/.keras/models}): the file name Keras uses
 * there, the MD5 Keras checks it against (null where Keras publishes none) and its download URL.
 * Find or fetch one with {@link KerasCache#resolve(WeightFile, boolean)}.
 */
public record WeightFile(String fileName, @Nullable String md5, URI url) {
  private static final String VGG16_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/";
  private static final String MOBILENET_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/";
  private static final String DATA_BASE = "https://storage.googleapis.com/download.tensorflow.org/data/";

  /** VGG16 ImageNet weights with the classifier top (about 553 MB). */
  public static final WeightFile VGG16 = new WeightFile("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
      "64373286793e3c8b2b4e3219cbf3544b", URI.create(VGG16_BASE + "vgg16_weights_tf_dim_ordering_tf_kernels.h5"));
  /** VGG16 ImageNet weights of the convolutional base only (about 59 MB). */
  public static final WeightFile VGG16_NOTOP = new WeightFile("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
      "6d6bbae143d832006294945121d1f1fc",
      URI.create(VGG16_BASE + "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"));
  /** The ImageNet class index of {@code decode_predictions}: class number to [wnid, label]. */
  public static final WeightFile IMAGENET_CLASS_INDEX = new WeightFile("imagenet_class_index.json",
      "c2c37ea517e94d9795004a39431a14cb", URI.create(DATA_BASE + "imagenet_class_index.json"));

  /** The width multipliers and square input sizes Keras publishes MobileNet v1 ImageNet weights for. */
  static final double[] MOBILENET_ALPHAS = {0.25, 0.5, 0.75, 1.0};
  static final int[] MOBILENET_SIZES = {128, 160, 192, 224};

  public WeightFile {
    InvalidInputException.requireNonNull(fileName, "fileName");
    InvalidInputException.requireNonNull(url, "url");
    if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\") || fileName.equals("..")
        || fileName.equals(".")) {
      throw new ConvlensException("weight file name must be a plain file name, got '" + fileName + "'");
    }
    if (md5 != null && !md5.matches("[0-9a-f]{32}")) {
      throw new ConvlensException("md5 of " + fileName + " must be 32 lower-case hex digits, got '" + md5 + "'");
    }
  }

  /**
   * The MobileNet v1 ImageNet weight file for a width multiplier and square input size, named as
   * Keras names it: {@code mobilenet_2_5_128_tf.h5}, {@code mobilenet_1_0_224_tf_no_top.h5}.
   * Keras publishes no MD5 for these, so {@link #md5()} is null.
   *
   * @throws ConvlensException when alpha is not 0.25, 0.5, 0.75 or 1.0, or the size not 128, 160, 192 or 224
   */
  public static WeightFile mobileNet(double alpha, int size, boolean includeTop) {
    String name = "mobilenet_" + mobileNetAlphaText(alpha) + "_" + mobileNetSize(size)
        + (includeTop ? "_tf.h5" : "_tf_no_top.h5");
    return new WeightFile(name, null, URI.create(MOBILENET_BASE + name));
  }

  /** Every file this class knows: the VGG16 pair, the class index and all 32 MobileNet v1 files. */
  public static List<WeightFile> known() {
    List<WeightFile> all = new ArrayList<>(List.of(VGG16, VGG16_NOTOP, IMAGENET_CLASS_INDEX));
    for (double alpha : MOBILENET_ALPHAS) {
      for (int size : MOBILENET_SIZES) {
        all.add(mobileNet(alpha, size, true));
        all.add(mobileNet(alpha, size, false));
      }
    }
    return List.copyOf(all);
  }

  /** True when Keras publishes an MD5 for this file, so a cached or downloaded copy can be verified. */
  public boolean hasMd5() {
    return md5 != null;
  }

  /** Keras 2.0.4 spells the multiplier by its two digits: 0.25 -> "2_5", 0.5 -> "5_0", 0.75 -> "7_5", 1.0 -> "1_0". */
  static String mobileNetAlphaText(double alpha) {
    if (alpha == 1.0) {
      return "1_0";
    } else if (alpha == 0.75) {
      return "7_5";
    } else if (alpha == 0.5) {
      return "5_0";
    } else if (alpha == 0.25) {
      return "2_5";
    }
    throw new ConvlensException(String.format(Locale.ROOT,
        "MobileNet: no ImageNet weights for alpha = %s; Keras publishes them for alpha 0.25, 0.5, 0.75 and 1.0",
        alpha));
  }

  private static int mobileNetSize(int size) {
    for (int s : MOBILENET_SIZES) {
      if (s == size) {
        return size;
      }
    }
    throw new ConvlensException("MobileNet: no ImageNet weights for input size " + size
        + "; Keras publishes them for square inputs of 128, 160, 192 and 224 pixels");
  }
}
