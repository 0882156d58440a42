package dev.convlens.bridge.image;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Keras {@code preprocess_input} modes on float32 pixels 0..255 with channels last ({@code [..., C]},
 * e.g. HWC or NHWC). Arithmetic is float32 with the constants rounded to float32, which is what
 * numpy does to a float32 array in Keras, so results are bit-identical. Always returns a new array.
 */
public enum Preprocessing {
  /** No change (models that rescale inside, e.g. with a {@code Rescaling} layer). */
  NONE,
  /** Mode "tf" (MobileNet, Inception, Xception): {@code x / 127.5 - 1}, values in [-1, 1]. */
  TF,
  /** Mode "torch" (DenseNet): {@code x / 255}, then per RGB channel minus the ImageNet mean, divided by its std. */
  TORCH,
  /** Mode "caffe" (VGG16, VGG19, ResNet50): RGB to BGR, then minus the ImageNet mean per BGR channel, no scaling. */
  CAFFE,
  /** {@code x / 255}, values in [0, 1] (the classic {@code rescale=1./255}). */
  RESCALE_1_255;

  // Keras' python constants; numpy casts them to float32 before operating on a float32 array
  private static final float[] CAFFE_MEAN_BGR = {103.939f, 116.779f, 123.68f};
  private static final float[] TORCH_MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] TORCH_STD = {0.229f, 0.224f, 0.225f};

  /** Applies this mode; CAFFE and TORCH need exactly 3 channels on the last axis. */
  public FloatTensor apply(FloatTensor x) {
    long[] shape = x.shape();
    if (shape.length == 0) {
      throw new InvalidInputException(this + " preprocessing needs a [..., channels] array, got a scalar");
    }
    float[] in = x.data();
    float[] out = new float[in.length];
    switch (this) {
      case NONE -> System.arraycopy(in, 0, out, 0, in.length);
      case TF -> {
        for (int i = 0; i < in.length; i++) {
          out[i] = in[i] / 127.5f - 1f;
        }
      }
      case RESCALE_1_255 -> {
        for (int i = 0; i < in.length; i++) {
          out[i] = in[i] / 255f;
        }
      }
      case TORCH -> {
        requireRgb(shape);
        for (int i = 0; i < in.length; i++) {
          int c = i % 3;
          out[i] = (in[i] / 255f - TORCH_MEAN[c]) / TORCH_STD[c];
        }
      }
      case CAFFE -> {
        requireRgb(shape);
        for (int i = 0; i < in.length; i += 3) {
          out[i] = in[i + 2] - CAFFE_MEAN_BGR[0];
          out[i + 1] = in[i + 1] - CAFFE_MEAN_BGR[1];
          out[i + 2] = in[i] - CAFFE_MEAN_BGR[2];
        }
      }
    }
    return new FloatTensor(shape.clone(), out);
  }

  /**
   * The mode for a Keras {@code preprocess_input} mode name: "caffe", "tf", "torch" (as in
   * {@code imagenet_utils.preprocess_input(mode=...)}), plus "none" and "rescale".
   */
  public static Preprocessing parse(String mode) {
    return switch (mode.toLowerCase(Locale.ROOT)) {
      case "caffe" -> CAFFE;
      case "tf" -> TF;
      case "torch" -> TORCH;
      case "none" -> NONE;
      case "rescale", "rescale_1_255" -> RESCALE_1_255;
      default -> throw new InvalidInputException("unknown preprocessing mode '" + mode
          + "' (expected caffe, tf, torch, none or rescale)");
    };
  }

  private void requireRgb(long[] shape) {
    if (shape[shape.length - 1] != 3) {
      throw new InvalidInputException(this + " preprocessing needs 3 channels (RGB) on the last axis, got shape "
          + Arrays.toString(shape));
    }
  }
}
