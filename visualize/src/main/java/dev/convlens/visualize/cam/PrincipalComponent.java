package dev.convlens.visualize.cam;

import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * The first principal component of {@code h*w} samples of {@code K} values (Eigen-CAM,
 * EigenGrad-CAM, eigen smoothing): the rows centered per column, the first right singular vector,
 * its sign flipped when the projection's most negative value outweighs its most positive
 * (pytorch-grad-cam's {@code get_2d_projection_with_sign_correction}; its plain
 * {@code get_2d_projection} keeps whatever sign the SVD returns).
 */
final class PrincipalComponent {
  private PrincipalComponent() {}

  /** {@code x} minus each column's mean, in place; returns {@code x}. NaN entries count as 0, as pytorch-grad-cam's. */
  static double[][] centered(double[][] x) {
    int cols = x[0].length;
    double[] mean = new double[cols];
    for (double[] row : x) {
      for (int k = 0; k < cols; k++) {
        if (Double.isNaN(row[k])) {
          row[k] = 0;
        }
        mean[k] += row[k];
      }
    }
    for (int k = 0; k < cols; k++) {
      mean[k] /= x.length;
    }
    for (double[] row : x) {
      for (int k = 0; k < cols; k++) {
        row[k] -= mean[k];
      }
    }
    return x;
  }

  /** The sign-corrected first right singular vector of the (already centered) rows. */
  static double[] first(double[][] centered) {
    // Thin SVD (commons-math works on the transpose itself when h*w < K); V's first column is v1.
    double[] v1 = new SingularValueDecomposition(MatrixUtils.createRealMatrix(centered)).getV().getColumn(0);
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

  /** Each row's projection on {@code v}. */
  static float[] project(double[][] rows, double[] v) {
    float[] out = new float[rows.length];
    for (int p = 0; p < out.length; p++) {
      out[p] = (float) dot(rows[p], v);
    }
    return out;
  }

  /** The projection of the centered rows on their sign-corrected first component. */
  static float[] projection(double[][] rows) {
    double[][] c = centered(rows);
    return project(c, first(c));
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
