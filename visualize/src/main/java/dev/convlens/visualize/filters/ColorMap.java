package dev.convlens.visualize.filters;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.image.Preprocessing;
import java.util.Arrays;

/**
 * A Keras preprocessing mode as the affine map it is, from picture values 0..1 to model input:
 * {@code input = picture . matrix + offset} per pixel (caffe's RGB to BGR swap is in the matrix).
 * Found by applying the mode itself to black and to each pure channel at 255.
 */
record ColorMap(float[][] matrix, float[] offset) {
  static ColorMap of(Preprocessing preprocessing, int channels) {
    float[] zero = preprocessing.apply(new FloatTensor(new long[] {1, channels}, new float[channels])).data();
    float[][] m = new float[channels][];
    for (int i = 0; i < channels; i++) {
      float[] unit = new float[channels];
      unit[i] = 255;
      float[] out = preprocessing.apply(new FloatTensor(new long[] {1, channels}, unit)).data();
      m[i] = new float[channels];
      for (int j = 0; j < channels; j++) {
        m[i][j] = out[j] - zero[j];
      }
    }
    return new ColorMap(m, zero);
  }

  /** The model input of a {@code [.., C]} picture of 0..1 values, in Java (as the graph computes it). */
  float[] apply(float[] picture) {
    int c = offset.length;
    float[] out = new float[picture.length];
    for (int p = 0; p < picture.length; p += c) {
      for (int j = 0; j < c; j++) {
        float s = offset[j];
        for (int i = 0; i < c; i++) {
          s += picture[p + i] * matrix[i][j];
        }
        out[p + j] = s;
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ColorMap m && Arrays.deepEquals(matrix, m.matrix) && Arrays.equals(offset, m.offset);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(matrix) * 31 + Arrays.hashCode(offset);
  }

  @Override
  public String toString() {
    return "ColorMap" + Arrays.deepToString(matrix) + " + " + Arrays.toString(offset);
  }
}
