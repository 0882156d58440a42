package dev.convlens.visualize.metrics;

import dev.convlens.bridge.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * A deletion or insertion curve: the class probability after each step, at the fraction of
 * pixels removed (deletion) or inserted (insertion), from 0 to 1; {@code auc} is its area by the
 * trapezoidal rule over those fractions. RISE's code spaces the points evenly, which is the same
 * when the step divides {@code H*W} and differs only in the last, shorter step otherwise.
 * Immutable: the arrays are copied in and out.
 */
public record Curve(double[] fractions, double[] probabilities, double auc) {
  public Curve {
    if (fractions.length != probabilities.length || fractions.length < 2) {
      throw new InvalidInputException("a curve needs as many fractions as probabilities, at least 2; got "
          + fractions.length + " and " + probabilities.length);
    }
    fractions = fractions.clone();
    probabilities = probabilities.clone();
  }

  static Curve of(double[] fractions, double[] probabilities) {
    return new Curve(fractions, probabilities, trapezoid(fractions, probabilities));
  }

  static double trapezoid(double[] x, double[] y) {
    double area = 0;
    for (int i = 1; i < x.length; i++) {
      area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
    }
    return area;
  }

  @Override
  public double[] fractions() {
    return fractions.clone();
  }

  @Override
  public double[] probabilities() {
    return probabilities.clone();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Curve c && java.util.Arrays.equals(fractions, c.fractions)
        && java.util.Arrays.equals(probabilities, c.probabilities) && Double.compare(auc, c.auc) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(fractions) + java.util.Arrays.hashCode(probabilities);
  }

  @Override
  public String toString() {
    return "Curve[auc=" + auc + ", points=" + fractions.length + "]";
  }
}
