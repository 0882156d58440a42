package dev.convlens.visualize.filters;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The channel objective of one layer for many images: the mean over height and width of each
 * channel of the layer's output, from forward runs that fetch that output (no ops are added to the
 * graph, so measuring never makes a serving model re-plan).
 */
final class ChannelMeans {
  private final KerasModel model;
  private final LayerInfo layer;
  private final int channels;

  private ChannelMeans(KerasModel model, LayerInfo layer) {
    this.model = model;
    this.layer = layer;
    this.channels = (int) layer.outputShape()[3];
  }

  /**
   * @throws InvalidInputException naming the layer when it is unknown or its output is not
   *     {@code (batch, height, width, channels)}, or when the model's input is not an image batch
   */
  static ChannelMeans of(KerasModel model, String layerName) {
    InvalidInputException.requireNonNull(model, "model");
    InvalidInputException.requireNonNull(layerName, "layer");
    LayerInfo info = model.layer(layerName);
    if (!info.isSpatial()) {
      throw new InvalidInputException("layer '" + layerName + "' of model '" + model.name() + "' has output shape "
          + Arrays.toString(info.outputShape()) + "; the channel objective needs a 4-D (batch, height, width, channels) output");
    }
    long[] in = model.inputShape();
    if (in.length != 4 || in[3] < 1) {
      throw new InvalidInputException("model '" + model.name() + "' has input shape " + Arrays.toString(in)
          + "; the channel objective needs an image input (batch, height, width, channels)");
    }
    return new ChannelMeans(model, info);
  }

  String layerPath() {
    return layer.path();
  }

  int channels() {
    return channels;
  }

  /**
   * Checks that {@code image} is one {@code [H, W, C]} model input with finite values.
   *
   * @param argument how the caller names it in the message, e.g. {@code images[3]}
   */
  void checkImage(FloatTensor image, String argument) {
    InvalidInputException.requireNonNull(image, argument);
    long[] in = model.inputShape();
    long[] s = image.shape();
    boolean fits = s.length == 3 && s[0] > 0 && s[1] > 0 && s[2] == in[3] && (in[1] < 0 || s[0] == in[1])
        && (in[2] < 0 || s[1] == in[2]);
    if (!fits) {
      throw new InvalidInputException(argument + " has shape " + Arrays.toString(s) + " but model '" + model.name()
          + "' takes [H, W, C] = [" + dim(in[1]) + ", " + dim(in[2]) + ", " + in[3] + "] (one image in model-input"
          + " values, no batch axis)");
    }
    for (float v : image.data()) {
      if (!Float.isFinite(v)) {
        throw new InvalidInputException(argument + " contains NaN or infinite values; expected finite model-input values");
      }
    }
  }

  /**
   * The channel means {@code [count][channels]} of {@code count} checked images, produced on demand
   * by {@code image} so that only one batch is in memory; consecutive images of equal shape share a
   * run of at most {@code batchSize}, and {@code cancellation} is checked before each run.
   */
  double[][] of(int count, IntFunction<FloatTensor> image, int batchSize, Cancellation cancellation) {
    double[][] means = new double[count][];
    var output = model.graph().layer(layer.path()).output();
    int from = 0;
    while (from < count) {
      List<FloatTensor> chunk = new ArrayList<>();
      chunk.add(image.apply(from));
      while (chunk.size() < batchSize && from + chunk.size() < count) {
        FloatTensor next = image.apply(from + chunk.size());
        if (!Arrays.equals(next.shape(), chunk.get(0).shape())) {
          break; // an open-size model fed images of other sizes: new run; the image is made again then
        }
        chunk.add(next);
      }
      FloatTensor act = model.graph().newRun().feedInput(FloatTensor.stack(chunk)).fetch(output)
          .cancellation(cancellation).run().get(0);
      int pixels = (int) (act.dim(1) * act.dim(2));
      float[] a = act.data();
      for (int i = 0; i < chunk.size(); i++) {
        double[] sum = new double[channels];
        int base = i * pixels * channels;
        for (int p = 0; p < pixels; p++) {
          int at = base + p * channels;
          for (int c = 0; c < channels; c++) {
            sum[c] += a[at + c];
          }
        }
        for (int c = 0; c < channels; c++) {
          sum[c] /= pixels;
        }
        means[from + i] = sum;
      }
      from += chunk.size();
    }
    return means;
  }

  private static String dim(long d) {
    return d < 0 ? "any" : Long.toString(d);
  }
}
