package dev.convlens.visualize.filters;

import dev.convlens.bridge.FloatTensor;

/** The book's deprocess_image, in double precision as numpy computes it on the float64 golden. */
final class Deprocess {
  private Deprocess() {}

  static FloatTensor toUint8(FloatTensor x) {
    float[] d = x.data();
    double sum = 0;
    for (float v : d) {
      sum += v;
    }
    double mean = sum / d.length;
    double sq = 0;
    for (float v : d) {
      sq += (v - mean) * (v - mean);
    }
    double std = Math.sqrt(sq / d.length);
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      double v = (d[i] - mean) / (std + 1e-5) * 0.1 + 0.5;
      v = Math.min(1, Math.max(0, v)) * 255;
      out[i] = (int) Math.min(255, Math.max(0, v)); // astype(uint8) truncates
    }
    return new FloatTensor(x.shape().clone(), out);
  }
}
