package dev.convlens.visualize.filters;

import dev.convlens.bridge.InvalidInputException;

/**
 * How the optimized image is represented (Lucid's {@code param.image}). The optimizer changes
 * parameters; graph ops turn them into the picture, so whole-layer mode batches them with the model.
 *
 * <ul>
 *   <li>{@link #pixels()}: one parameter per pixel value. Gradient steps in this space are dominated
 *       by high frequencies: the picture fills with fine, saturated grain.</li>
 *   <li>{@link #fourier()}: the parameters are the image's 2-D Fourier spectrum (real and imaginary
 *       parts per frequency), scaled by {@code 1 / frequency}: low frequencies move as fast as high
 *       ones, so structure forms at every scale (Lucid's default, with decorrelated colours).</li>
 *   <li>{@link #laplacianPyramid()}: the picture is the sum of {@code levels} pixel images of halving
 *       size, each upsampled bilinearly to full size: coarse levels move large areas at once (Lucid's
 *       {@code laplacian_pyramid}).</li>
 *   <li>{@code decorrelated}: colours are mixed by the square root of the ImageNet colour covariance,
 *       so steps move along natural colour directions rather than pure red, green, blue (3-channel
 *       models only; others ignore it).</li>
 * </ul>
 * Either way a sigmoid maps the result to valid pixel values 0..1 (0..255 before the model's
 * preprocessing).
 *
 * @param kind pixels or Fourier spectrum
 * @param decorrelated mix colours by the ImageNet colour correlation (3 channels)
 * @param initialSd standard deviation of the seeded Gaussian start values (Lucid: 0.01)
 * @param levels images of the Laplacian pyramid, full size first (1 for the other kinds)
 */
public record Parameterization(Kind kind, boolean decorrelated, double initialSd, int levels) {
  /** The representation of the image. */
  public enum Kind {
    PIXELS,
    FOURIER,
    LAPLACIAN_PYRAMID
  }

  public Parameterization {
    if (kind == null) {
      throw new InvalidInputException("parameterization: kind is null (PIXELS or FOURIER)");
    }
    if (!(initialSd > 0) || !Double.isFinite(initialSd)) {
      throw new InvalidInputException("parameterization: initialSd must be a positive number, got " + initialSd);
    }
    if (levels < 1 || levels > 8 || (kind != Kind.LAPLACIAN_PYRAMID && levels != 1)) {
      throw new InvalidInputException("parameterization: levels must be 1..8 for a Laplacian pyramid and 1 otherwise, got "
          + levels);
    }
  }

  /** One parameter per pixel value, plain RGB. */
  public static Parameterization pixels() {
    return new Parameterization(Kind.PIXELS, false, 0.01, 1);
  }

  /** Lucid's default: Fourier spectrum scaled by 1/frequency, decorrelated colours. */
  public static Parameterization fourier() {
    return new Parameterization(Kind.FOURIER, true, 0.01, 1);
  }

  /** Lucid's Laplacian pyramid of 4 levels, decorrelated colours. */
  public static Parameterization laplacianPyramid() {
    return new Parameterization(Kind.LAPLACIAN_PYRAMID, true, 0.01, 4);
  }

  public Parameterization withDecorrelated(boolean decorrelated) {
    return new Parameterization(kind, decorrelated, initialSd, levels);
  }

  public Parameterization withInitialSd(double initialSd) {
    return new Parameterization(kind, decorrelated, initialSd, levels);
  }

  public Parameterization withLevels(int levels) {
    return new Parameterization(kind, decorrelated, initialSd, levels);
  }
}
