package dev.convlens.visualize.activations;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.util.Arrays;

/**
 * The output of one layer for a batch: its path in the model ({@code conv2d_8}, {@code vgg16/block1_conv1}),
 * its Keras class and the float values, batch axis first and channels last ({@code [N, H, W, C]} for
 * convolution and pooling layers). Rank-2 outputs ({@code [N, C]}) count as 1x1 maps of C channels.
 */
public record LayerOutput(String layer, String className, FloatTensor value) {
  public LayerOutput {
    if (value == null) {
      throw new InvalidInputException("layer '" + layer + "': no output value");
    }
    if (value.rank() < 2) {
      throw new InvalidInputException("layer '" + layer + "': expected an output with a batch and a channel axis, got shape "
          + Arrays.toString(value.shape()));
    }
  }

  public int batchSize() {
    return (int) value.dim(0);
  }

  /** The first spatial axis; 1 for rank-2 outputs. */
  public int height() {
    return value.rank() == 2 ? 1 : (int) value.dim(1);
  }

  /** The remaining spatial axes (the width for rank-4 outputs); 1 for rank-2 outputs. */
  public int width() {
    long w = 1;
    for (int a = 2; a < value.rank() - 1; a++) {
      w *= value.dim(a);
    }
    return (int) w;
  }

  public int channels() {
    return (int) value.dim(-1);
  }

  /** True for {@code [N, H, W, C]} outputs, the ones drawn as channel grids. */
  public boolean isSpatial() {
    return value.rank() == 4;
  }

  /** One channel of one image as a row-major {@code height x width} map (a copy). */
  public float[] channel(int image, int channel) {
    checkImage(image);
    if (channel < 0 || channel >= channels()) {
      throw new InvalidInputException("layer '" + layer + "' has channels 0.." + (channels() - 1) + ", got " + channel);
    }
    int c = channels();
    int plane = height() * width();
    float[] d = value.data();
    float[] out = new float[plane];
    int base = image * plane * c + channel;
    for (int i = 0; i < plane; i++) {
      out[i] = d[base + i * c];
    }
    return out;
  }

  /** The output for one image of the batch, still with a batch axis of 1. */
  public LayerOutput image(int image) {
    checkImage(image);
    if (batchSize() == 1) {
      return this;
    }
    FloatTensor one = value.slice(image);
    long[] shape = new long[value.rank()];
    shape[0] = 1;
    System.arraycopy(one.shape(), 0, shape, 1, one.rank());
    return new LayerOutput(layer, className, new FloatTensor(shape, one.data()));
  }

  /** Statistics over every value of the batch (see {@link LayerStats}). */
  public LayerStats stats() {
    return LayerStats.of(this);
  }

  void checkImage(int image) {
    if (image < 0 || image >= batchSize()) {
      throw new InvalidInputException("layer '" + layer + "' holds images 0.." + (batchSize() - 1) + ", got image " + image);
    }
  }
}
