package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

/** ZeroPadding2D, Cropping2D, Flatten (row-major over H, W, C) and Reshape. */
final class Reshaping {
  private Reshaping() {}

  private static Shape nhwc(LayerContext c) {
    Shape s = c.inputShape(0);
    if (s.numDimensions() != 4) {
      throw c.invalid("needs an input of rank 4 (batch, height, width, channels), got shape " + s);
    }
    return s;
  }

  static final LayerBuilder ZERO_PADDING = (c, in, w) -> {
    c.requireChannelsLast();
    Shape s = nhwc(c);
    long[][] p = c.sides("padding", 1);
    // Sizes and amounts are below 2^31 each, so the sums cannot overflow.
    long[] out = {-1, s.get(1) + p[0][0] + p[0][1], s.get(2) + p[1][0] + p[1][1], s.get(3)};
    if (s.get(1) >= 0 && s.get(2) >= 0 && s.get(3) >= 0
        && GraphBuilder.cappedProduct(out[1], out[2], out[3]) > GraphBuilder.MAX_VALUES_PER_SAMPLE) {
      throw c.invalid("'padding' " + Arrays.deepToString(p) + " would make the output " + Shape.of(out) + " hold more"
          + " than " + GraphBuilder.MAX_VALUES_PER_SAMPLE + " values per sample");
    }
    Ops tf = c.tf();
    return LayerOutput.of(tf.pad(in.get(0), tf.constant(new long[][] {{0, 0}, p[0], p[1], {0, 0}}), tf.constant(0f)));
  };

  static final LayerBuilder CROPPING = (c, in, w) -> {
    c.requireChannelsLast();
    Shape s = nhwc(c);
    long[][] p = c.sides("cropping", 0);
    if (s.get(1) < 0 || s.get(2) < 0) {
      throw c.invalid("Cropping2D needs known height and width, got " + s);
    }
    long height = s.get(1) - p[0][0] - p[0][1];
    long width = s.get(2) - p[1][0] - p[1][1];
    if (height < 1 || width < 1) {
      // TF's slice would read a size of -1 as "all the rest" rather than fail.
      throw c.invalid("'cropping' " + Arrays.deepToString(p) + " leaves nothing of input shape " + s);
    }
    Ops tf = c.tf();
    long[] begin = {0, p[0][0], p[1][0], 0};
    long[] size = {-1, height, width, -1};
    return LayerOutput.of(tf.slice(in.get(0), tf.constant(begin), tf.constant(size)));
  };

  static final LayerBuilder FLATTEN = (c, in, w) -> {
    Shape s = c.inputShape(0);
    if (c.oneOf("data_format", "channels_last", "channels_last", "channels_first").equals("channels_first")
        && s.numDimensions() > 2) {
      throw c.unsupported("data_format 'channels_first' (only channels_last is supported)");
    }
    long n = 1;
    for (int i = 1; i < s.numDimensions(); i++) {
      if (s.get(i) < 0) {
        throw c.invalid("Flatten needs a fully known input shape, got " + s + " (give the model a fixed input size)");
      }
      n *= s.get(i);  // GraphBuilder keeps every shape within MAX_VALUES_PER_SAMPLE values
    }
    return LayerOutput.of(c.tf().reshape(in.get(0), c.tf().constant(new long[] {-1, n})));
  };

  static final LayerBuilder RESHAPE = (c, in, w) -> {
    long[] dims = target(c);
    return LayerOutput.of(c.tf().reshape(in.get(0), c.tf().constant(dims)));
  };

  /**
   * Reshape's {@code target_shape} with the batch axis in front (-1): positive sizes and at most one
   * -1, resolved here from the static size (the batch axis already takes the one -1 TF allows), and
   * the same number of values as the input where its shape is known.
   */
  private static long[] target(LayerContext c) {
    String expected = "a non-empty list of positive ints with at most one -1";
    JsonNode t = c.config().get("target_shape");
    if (t == null || t.isNull()) {
      throw c.missing("target_shape", expected);
    }
    if (!t.isArray() || t.isEmpty()) {
      throw c.badValue("target_shape", expected);
    }
    long[] dims = new long[t.size() + 1];
    dims[0] = -1;
    int free = -1;
    long known = 1;
    for (int i = 0; i < t.size(); i++) {
      Integer d = JsonValues.exactInt(t.get(i));
      if (d == null || d == 0 || d < -1 || (d == -1 && free >= 0)) {
        throw c.badValue("target_shape", expected);
      }
      if (d == -1) {
        free = i + 1;
      } else {
        known *= d;  // both below 2^31 here, so no overflow
        if (known > GraphBuilder.MAX_VALUES_PER_SAMPLE) {
          throw c.invalid("'target_shape' " + JsonValues.show(t) + " holds more than "
              + GraphBuilder.MAX_VALUES_PER_SAMPLE + " values per sample");
        }
      }
      dims[i + 1] = d;
    }
    long total = knownSize(c.inputShape(0));
    if (total < 0) {
      if (free >= 0) {
        throw c.invalid("Reshape with -1 in target_shape needs a known input shape, got " + c.inputShape(0));
      }
      return dims;
    }
    if (free >= 0 ? total % known != 0 : total != known) {
      throw c.invalid("'target_shape' " + JsonValues.show(t) + " does not fit the " + total
          + " values per sample of input shape " + c.inputShape(0));
    }
    if (free >= 0) {
      dims[free] = total / known;
    }
    return dims;
  }

  /** The number of values per sample, or -1 when a size is unknown (GraphBuilder keeps it within a long). */
  private static long knownSize(Shape s) {
    long n = 1;
    for (int i = 1; i < s.numDimensions(); i++) {
      if (s.get(i) < 0) {
        return -1;
      }
      n *= s.get(i);
    }
    return n;
  }

  /** Keras' Permute: {@code dims} numbers the non-batch axes from 1. */
  static final LayerBuilder PERMUTE = (c, in, w) -> {
    int rank = c.inputShape(0).numDimensions();
    String expected = "a permutation of the non-batch axes 1.." + (rank - 1);
    JsonNode d = c.config().get("dims");
    if (d == null || d.isNull()) {
      throw c.missing("dims", expected);
    }
    if (!d.isArray() || d.size() != rank - 1) {
      throw c.badValue("dims", expected);
    }
    int[] perm = new int[rank];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < d.size(); i++) {
      Integer a = JsonValues.exactInt(d.get(i));
      if (a == null || a < 1 || a >= rank || seen[a]) {
        throw c.badValue("dims", expected);
      }
      seen[a] = true;
      perm[i + 1] = a;
    }
    return LayerOutput.of(c.tf().linalg.transpose(in.get(0), c.tf().constant(perm)));
  };
}
