package dev.convlens.bridge;

/** Whole-tensor statistics in double precision, as the golden files define them (std with ddof 0). */
record LayerStats(double mean, double std, double max, double min, int blankChannels) {
  static LayerStats of(FloatTensor a) {
    float[] d = a.data();
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    for (float v : d) {
      sum += v;
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    double mean = sum / d.length;
    double sq = 0;
    for (float v : d) {
      sq += (v - mean) * (v - mean);
    }
    int channels = (int) a.dim(-1);
    double[] channelMax = new double[channels];
    java.util.Arrays.fill(channelMax, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < d.length; i++) {
      channelMax[i % channels] = Math.max(channelMax[i % channels], d[i]);
    }
    int blank = 0;
    for (double m : channelMax) {
      blank += m == 0.0 ? 1 : 0;
    }
    return new LayerStats(mean, Math.sqrt(sq / d.length), max, min, blank);
  }
}
