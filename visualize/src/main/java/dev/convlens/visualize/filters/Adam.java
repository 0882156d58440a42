package dev.convlens.visualize.filters;

/**
 * Adam as TensorFlow computes it ({@code lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)},
 * {@code p += lr_t m / (sqrt(v) + eps)}), ascending, elementwise on one parameter array: each
 * image's parameters move independently of the batch they are in.
 */
final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private final double rate;
  private final double[] m;
  private final double[] v;
  private int t;

  Adam(double rate, int size) {
    this.rate = rate;
    this.m = new double[size];
    this.v = new double[size];
  }

  /** One ascent step of {@code params} along {@code gradient}. */
  void step(float[] params, float[] gradient) {
    t++;
    double lr = rate * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
    for (int i = 0; i < params.length; i++) {
      double g = gradient[i];
      m[i] = BETA1 * m[i] + (1 - BETA1) * g;
      v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
      params[i] += (float) (lr * m[i] / (Math.sqrt(v[i]) + EPSILON));
    }
  }
}
