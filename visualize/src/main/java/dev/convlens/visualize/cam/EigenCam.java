package dev.convlens.visualize.cam;

import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * Eigen-CAM (Muhammad and Yeasin 2020): the projection of the target activations, seen as
 * {@code h*w} samples of {@code K} channels and centered per channel, on their first principal
 * component. No class and no gradient: every class of an image gets the same map. The weights are
 * that component; its sign is arbitrary, so it is flipped when the projection's most negative
 * value outweighs its most positive (pytorch-grad-cam's sign correction), which makes the map's
 * strongest response positive.
 */
final class EigenCam extends CamAlgorithm {
  @Override
  ScoreKind score() {
    return ScoreKind.NONE;
  }

  @Override
  double[] weights(LayerMaps m) {
    double[][] centered = centered(m);
    RealMatrix x = MatrixUtils.createRealMatrix(centered);
    // Thin SVD (commons-math works on the transpose itself when h*w < K); V's first column is v1.
    double[] v1 = new SingularValueDecomposition(x).getV().getColumn(0);
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double[] row : centered) {
      double proj = dot(row, v1);
      min = Math.min(min, proj);
      max = Math.max(max, proj);
    }
    if (Math.abs(min) > Math.abs(max)) {
      for (int k = 0; k < v1.length; k++) {
        v1[k] = -v1[k];
      }
    }
    return v1;
  }

  @Override
  float[] map(LayerMaps m, double[] weights) {
    double[][] centered = centered(m);
    float[] raw = new float[centered.length];
    for (int p = 0; p < raw.length; p++) {
      raw[p] = (float) dot(centered[p], weights);
    }
    return raw;
  }

  /** {@code A} as {@code [h*w][K]} minus each channel's mean over the positions. */
  private static double[][] centered(LayerMaps m) {
    int positions = m.positions();
    double[][] x = new double[positions][m.channels];
    double[] mean = new double[m.channels];
    for (int p = 0; p < positions; p++) {
      for (int k = 0; k < m.channels; k++) {
        x[p][k] = m.a(p, k);
        mean[k] += x[p][k];
      }
    }
    for (int k = 0; k < m.channels; k++) {
      mean[k] /= positions;
    }
    for (double[] row : x) {
      for (int k = 0; k < m.channels; k++) {
        row[k] -= mean[k];
      }
    }
    return x;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
