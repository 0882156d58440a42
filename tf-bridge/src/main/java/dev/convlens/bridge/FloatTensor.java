package dev.convlens.bridge;

import java.util.Arrays;

/**
 * A dense float32 array in row-major (C) order with its shape: what convlens hands in and out
 * instead of native tensors, so callers never own native memory. Treat it as immutable.
 */
public record FloatTensor(long[] shape, float[] data) {
  public FloatTensor {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new InvalidInputException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n != data.length) {
      throw new InvalidInputException(
          "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
    }
  }

  public static FloatTensor of(float[] data, long... shape) {
    return new FloatTensor(shape.clone(), data);
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int axis) {
    return shape[axis < 0 ? shape.length + axis : axis];
  }

  public long size() {
    return data.length;
  }

  /** The i-th entry along axis 0, e.g. one image of a batch, as a copy. */
  public FloatTensor slice(int index) {
    if (shape.length == 0 || index < 0 || index >= shape[0]) {
      throw new IndexOutOfBoundsException("index " + index + " outside axis 0 of shape " + Arrays.toString(shape));
    }
    int stride = (int) (data.length / shape[0]);
    return new FloatTensor(Arrays.copyOfRange(shape, 1, shape.length),
        Arrays.copyOfRange(data, index * stride, (index + 1) * stride));
  }

  /** Stacks equally shaped arrays along a new leading axis. */
  public static FloatTensor stack(java.util.List<FloatTensor> items) {
    if (items.isEmpty()) {
      throw new InvalidInputException("nothing to stack");
    }
    long[] inner = items.get(0).shape();
    float[] out = new float[items.get(0).data().length * items.size()];
    int at = 0;
    for (FloatTensor a : items) {
      if (!Arrays.equals(a.shape(), inner)) {
        throw new InvalidInputException("cannot stack shapes " + Arrays.toString(inner) + " and " + Arrays.toString(a.shape()));
      }
      System.arraycopy(a.data(), 0, out, at, a.data().length);
      at += a.data().length;
    }
    long[] shape = new long[inner.length + 1];
    shape[0] = items.size();
    System.arraycopy(inner, 0, shape, 1, inner.length);
    return new FloatTensor(shape, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor f && Arrays.equals(shape, f.shape) && Arrays.equals(data, f.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "FloatTensor" + Arrays.toString(shape);
  }
}
