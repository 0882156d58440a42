package dev.convlens.visualize.metrics;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.apache.commons.math3.exception.MaxCountExceededException;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.ConjugateGradient;
import org.apache.commons.math3.linear.RealLinearOperator;
import org.apache.commons.math3.linear.RealVector;

/**
 * ROAD's noisy linear imputation (Rong et al., ICML 2022): every removed pixel, per channel, is
 * the weighted mean of its in-image 8 neighbours (direct ones weigh 1/6, diagonal ones 1/12, as
 * in the paper's code; the weights of the neighbours present are renormalised at the border),
 * whether those are known or removed themselves, which makes one sparse linear system over the
 * removed pixels; then Gaussian noise is added to each imputed value.
 *
 * <p>The system {@code (D - W) x = b} ({@code D}: each pixel's in-image neighbour weight,
 * {@code W}: the weights between removed pixels, {@code b}: the weighted known neighbours) is
 * symmetric (the stencil is) and positive definite as long as a pixel is kept (every connected
 * group of removed pixels touches a known one, so {@code D - W} is irreducibly diagonally dominant),
 * so it is solved with Commons Math's conjugate gradient on a matrix-free operator with an SSOR
 * preconditioner, to a residual of 1e-9 of {@code b}. The paper's code solves the same system directly (scipy's {@code spsolve}).
 */
final class NoisyLinearImputation {
  private static final int[][] OFFSETS = {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}};
  private static final double DIRECT = 1.0 / 6;
  private static final double DIAGONAL = 1.0 / 12;
  static final double TOLERANCE = 1e-9;
  /**
   * SSOR's relaxation: on 128 x 128 x 3 with a central disc of 90 % removed (MoRF of a centred map),
   * the three solves took 1127 iterations without a preconditioner, 497 with w = 1, 301 with 1.5
   * and 209 with 1.8 (each preconditioned one costs about two plain ones). Counted once, by hand,
   * when choosing it; no test or bench repeats the count, and {@code RoadTest} checks the solution.
   */
  static final double OMEGA = 1.8;

  private NoisyLinearImputation() {}

  /**
   * {@code image [H, W, C]} (row-major, channels last) with the pixels where {@code removed} is
   * true replaced by the imputation plus {@code noise} times a standard normal draw from {@code random}.
   */
  static float[] impute(float[] image, int height, int width, int channels, boolean[] removed, double noise,
      RandomGenerator random) {
    int pixels = height * width;
    int[] variable = new int[pixels];
    Arrays.fill(variable, -1);
    int n = 0;
    for (int p = 0; p < pixels; p++) {
      if (removed[p]) {
        variable[p] = n++;
      }
    }
    float[] out = image.clone();
    if (n == 0) {
      return out;
    }
    if (n == pixels) {
      throw new IllegalArgumentException("linear imputation needs at least one pixel kept");
    }
    int[] unknown = new int[n];
    double[] diagonal = new double[n];
    // The links between removed pixels, row by row (CSR).
    int[] start = new int[n + 1];
    int[] to = new int[n * 8];
    double[] weight = new double[n * 8];
    double[][] b = new double[channels][n];
    int links = 0;
    for (int p = 0; p < pixels; p++) {
      int v = variable[p];
      if (v < 0) {
        continue;
      }
      unknown[v] = p;
      start[v] = links;
      int y = p / width;
      int x = p % width;
      for (int[] o : OFFSETS) {
        int yy = y + o[0];
        int xx = x + o[1];
        if (yy < 0 || yy >= height || xx < 0 || xx >= width) {
          continue;
        }
        double w = o[0] == 0 || o[1] == 0 ? DIRECT : DIAGONAL;
        diagonal[v] += w;
        int q = yy * width + xx;
        if (variable[q] >= 0) {
          to[links] = variable[q];
          weight[links++] = w;
        } else {
          for (int c = 0; c < channels; c++) {
            b[c][v] += w * image[q * channels + c];
          }
        }
      }
    }
    start[n] = links;
    Stencil op = new Stencil(diagonal, start, to, weight);
    Ssor preconditioner = new Ssor(op, OMEGA);
    ConjugateGradient cg = new ConjugateGradient(Math.max(1000, 10 * n), TOLERANCE, false);
    for (int c = 0; c < channels; c++) {
      RealVector x;
      try {
        x = cg.solve(op, preconditioner, new ArrayRealVector(b[c], false));
      } catch (MaxCountExceededException e) {
        throw new IllegalStateException("linear imputation did not converge in " + e.getMax() + " iterations", e);
      }
      for (int v = 0; v < n; v++) {
        out[unknown[v] * channels + c] = (float) (x.getEntry(v) + noise * random.nextGaussian());
      }
    }
    return out;
  }

  /** {@code (D - W) v} without forming the matrix. */
  private static final class Stencil extends RealLinearOperator {
    private final double[] diagonal;
    private final int[] start;
    private final int[] to;
    private final double[] weight;

    Stencil(double[] diagonal, int[] start, int[] to, double[] weight) {
      this.diagonal = diagonal;
      this.start = start;
      this.to = to;
      this.weight = weight;
    }

    @Override
    public int getRowDimension() {
      return diagonal.length;
    }

    @Override
    public int getColumnDimension() {
      return diagonal.length;
    }

    @Override
    public RealVector operate(RealVector v) {
      double[] x = v.toArray();
      double[] out = new double[diagonal.length];
      for (int i = 0; i < diagonal.length; i++) {
        double s = diagonal[i] * x[i];
        for (int k = start[i]; k < start[i + 1]; k++) {
          s -= weight[k] * x[to[k]];
        }
        out[i] = s;
      }
      return new ArrayRealVector(out, false);
    }
  }

  /**
   * The SSOR preconditioner: applies {@code M^-1} with {@code M = (D/w - L) D^-1 (D/w - L^T)} (up
   * to a constant factor, which conjugate gradient ignores), {@code L} the links to earlier pixels.
   * Symmetric positive definite for {@code 0 < w < 2}; it cuts the iterations about fivefold on
   * the large holes of MoRF at 90 % ({@link #OMEGA}).
   */
  private static final class Ssor extends RealLinearOperator {
    private final Stencil a;
    private final double omega;

    Ssor(Stencil a, double omega) {
      this.a = a;
      this.omega = omega;
    }

    @Override
    public int getRowDimension() {
      return a.diagonal.length;
    }

    @Override
    public int getColumnDimension() {
      return a.diagonal.length;
    }

    @Override
    public RealVector operate(RealVector v) {
      double[] r = v.toArray();
      int n = r.length;
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        double s = r[i];
        for (int k = a.start[i]; k < a.start[i + 1]; k++) {
          if (a.to[k] < i) {
            s += a.weight[k] * y[a.to[k]];
          }
        }
        y[i] = s * omega / a.diagonal[i];
      }
      for (int i = 0; i < n; i++) {
        y[i] *= a.diagonal[i];
      }
      double[] z = new double[n];
      for (int i = n - 1; i >= 0; i--) {
        double s = y[i];
        for (int k = a.start[i]; k < a.start[i + 1]; k++) {
          if (a.to[k] > i) {
            s += a.weight[k] * z[a.to[k]];
          }
        }
        z[i] = s * omega / a.diagonal[i];
      }
      return new ArrayRealVector(z, false);
    }
  }
}
