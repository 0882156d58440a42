package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;

/** Shapes of batches made from one image. */
final class Batches {
  private Batches() {}

  /** The shape of {@code n} images shaped as {@code image} ({@code [n, ...image.shape]}). */
  static long[] shape(FloatTensor image, int n) {
    long[] s = new long[image.rank() + 1];
    s[0] = n;
    System.arraycopy(image.shape(), 0, s, 1, image.rank());
    return s;
  }

  /** {@code image} as a batch of one, sharing its data. */
  static FloatTensor ofOne(FloatTensor image) {
    return new FloatTensor(shape(image, 1), image.data());
  }
}
