package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** ZeroPadding2D, Cropping2D, Flatten (row-major over H, W, C) and Reshape. */
final class Reshaping {
  private Reshaping() {}

  /** Keras' int, (sym_h, sym_w) or ((top, bottom), (left, right)) forms. */
  private static long[][] amounts(LayerContext c, String key, long fallback) {
    JsonNode p = c.config().get(key);
    if (p == null || p.isNull()) {
      return new long[][] {{fallback, fallback}, {fallback, fallback}};
    }
    if (p.isNumber()) {
      return new long[][] {{p.asLong(), p.asLong()}, {p.asLong(), p.asLong()}};
    }
    if (p.isArray() && p.size() == 2 && p.get(0).isNumber()) {
      return new long[][] {{p.get(0).asLong(), p.get(0).asLong()}, {p.get(1).asLong(), p.get(1).asLong()}};
    }
    if (p.isArray() && p.size() == 2 && p.get(0).isArray()) {
      return new long[][] {{p.get(0).get(0).asLong(), p.get(0).get(1).asLong()},
          {p.get(1).get(0).asLong(), p.get(1).get(1).asLong()}};
    }
    throw c.invalid("cannot read '" + key + "' = " + p);
  }

  static final LayerBuilder ZERO_PADDING = (c, in, w) -> {
    c.requireChannelsLast();
    long[][] p = amounts(c, "padding", 1);
    Ops tf = c.tf();
    return LayerOutput.of(tf.pad(in.get(0), tf.constant(new long[][] {{0, 0}, p[0], p[1], {0, 0}}), tf.constant(0f)));
  };

  static final LayerBuilder CROPPING = (c, in, w) -> {
    c.requireChannelsLast();
    long[][] p = amounts(c, "cropping", 0);
    Shape s = c.inputShape(0);
    if (s.get(1) < 0 || s.get(2) < 0) {
      throw c.invalid("Cropping2D needs known height and width, got " + s);
    }
    Ops tf = c.tf();
    int[] begin = {0, (int) p[0][0], (int) p[1][0], 0};
    int[] size = {-1, (int) (s.get(1) - p[0][0] - p[0][1]), (int) (s.get(2) - p[1][0] - p[1][1]), -1};
    return LayerOutput.of(tf.slice(in.get(0), tf.constant(begin), tf.constant(size)));
  };

  static final LayerBuilder FLATTEN = (c, in, w) -> {
    Shape s = c.inputShape(0);
    long n = 1;
    for (int i = 1; i < s.numDimensions(); i++) {
      if (s.get(i) < 0) {
        throw c.invalid("Flatten needs a fully known input shape, got " + s + " (give the model a fixed input size)");
      }
      n *= s.get(i);
    }
    return LayerOutput.of(c.tf().reshape(in.get(0), c.tf().constant(new long[] {-1, n})));
  };

  static final LayerBuilder RESHAPE = (c, in, w) -> {
    JsonNode t = c.config().get("target_shape");
    if (t == null || !t.isArray()) {
      throw c.invalid("Reshape needs 'target_shape'");
    }
    List<Long> dims = new ArrayList<>();
    dims.add(-1L);
    t.forEach(d -> dims.add(d.asLong()));
    if (dims.subList(1, dims.size()).contains(-1L)) {
      // The batch axis already takes the one -1 TF allows: resolve Keras' -1 from the static size.
      Shape s = c.inputShape(0);
      long total = 1;
      for (int i = 1; i < s.numDimensions(); i++) {
        if (s.get(i) < 0) {
          throw c.invalid("Reshape with -1 in target_shape needs a known input shape, got " + s);
        }
        total *= s.get(i);
      }
      long known = 1;
      for (long d : dims.subList(1, dims.size())) {
        known *= d == -1 ? 1 : d;
      }
      dims.set(dims.subList(1, dims.size()).indexOf(-1L) + 1, total / known);
    }
    return LayerOutput.of(c.tf().reshape(in.get(0), c.tf().constant(dims.stream().mapToLong(Long::longValue).toArray())));
  };

  /** Keras' Permute: {@code dims} numbers the non-batch axes from 1. */
  static final LayerBuilder PERMUTE = (c, in, w) -> {
    JsonNode d = c.config().get("dims");
    int rank = c.inputShape(0).numDimensions();
    if (d == null || !d.isArray() || d.size() != rank - 1) {
      throw c.invalid("'dims' must list the " + (rank - 1) + " non-batch axes, got " + d);
    }
    int[] perm = new int[rank];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < d.size(); i++) {
      int a = d.get(i).asInt();
      if (!d.get(i).canConvertToExactIntegral() || a < 1 || a >= rank || seen[a]) {
        throw c.invalid("'dims' must be a permutation of 1.." + (rank - 1) + ", got " + d);
      }
      seen[a] = true;
      perm[i + 1] = a;
    }
    return LayerOutput.of(c.tf().linalg.transpose(in.get(0), c.tf().constant(perm)));
  };
}
