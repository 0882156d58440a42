package dev.convlens.visualize;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.ImageLimits;
import dev.convlens.bridge.image.KerasImages;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * An image to classify or explain, decoded once and kept at its own size (overlays are drawn on
 * it; each model resizes it to its input with Keras' nearest-neighbour {@code load_img}). Encoded
 * input is decoded within {@link ImageLimits}: a service reading untrusted uploads should pass its
 * own. Immutable and safe to share between threads.
 */
public final class InputImage {
  /** What the library allocates per pixel of the original after decoding: a float RGB copy for overlays. */
  private static final int BYTES_PER_PIXEL_AFTER = 12;

  private final BufferedImage image;

  private InputImage(BufferedImage image) {
    this.image = image;
  }

  /** A PNG, JPEG, GIF or BMP file, within {@link ImageLimits#defaults()}. */
  public static InputImage of(Path file) {
    return of(file, ImageLimits.defaults());
  }

  public static InputImage of(Path file, ImageLimits limits) {
    return new InputImage(KerasImages.readImage(file, limits, BYTES_PER_PIXEL_AFTER));
  }

  /** Encoded bytes (PNG, JPEG, GIF, BMP), e.g. a request body, within {@link ImageLimits#defaults()}. */
  public static InputImage of(byte[] encoded) {
    return of(encoded, ImageLimits.defaults());
  }

  public static InputImage of(byte[] encoded, ImageLimits limits) {
    return new InputImage(KerasImages.decodeImage(encoded, limits, BYTES_PER_PIXEL_AFTER));
  }

  /** Reads {@code in} to its end (never more than {@code maxBytes}) and decodes it; {@code in} is not closed. */
  public static InputImage of(InputStream in) {
    return of(in, ImageLimits.defaults());
  }

  public static InputImage of(InputStream in, ImageLimits limits) {
    return of(KerasImages.readBytes(in, limits), limits);
  }

  /** An image already in memory; later changes to {@code image} are not seen (it is copied). */
  public static InputImage of(BufferedImage image) {
    InvalidInputException.requireNonNull(image, "image");
    BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(),
        image.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = copy.createGraphics();
    g.drawImage(image, 0, 0, null);
    g.dispose();
    return new InputImage(copy);
  }

  public int width() {
    return image.getWidth();
  }

  public int height() {
    return image.getHeight();
  }

  /** The image as decoded (do not modify it). */
  BufferedImage decoded() {
    return image;
  }
}
