package dev.convlens.bridge.image;

import dev.convlens.bridge.InvalidInputException;

/**
 * How large an image file may be before it is refused, so that a small hostile file (a
 * decompression bomb: a 1 MB PNG declaring 20000 x 20000 pixels) cannot take the machine's memory.
 * Immutable; start from {@link #defaults()} and use the withers.
 *
 * <p>The pixel count (and for a tiled TIFF the size of one tile) is read from the file's header
 * before any pixel is decoded. Decoding then
 * needs at most about {@code maxBytes} for the file plus 4 to 8 bytes per pixel for the decoded
 * image, and {@code loadImg} adds 4 bytes per channel per output pixel for the float array.
 *
 * @param maxPixels the most pixels (width x height of the first frame) an image may declare.
 *     The default, {@value #DEFAULT_MAX_PIXELS}, is where Pillow (and so Keras' {@code load_img})
 *     raises {@code DecompressionBombError}: twice its {@code MAX_IMAGE_PIXELS} of 89,478,485, above
 *     which it only warns. A service reading untrusted images should set what its models need
 *     (e.g. 4096 x 4096).
 * @param maxBytes the largest file accepted, checked before reading and again while reading (in case
 *     the file grows). The default, {@value #DEFAULT_MAX_BYTES} bytes (256 MiB), is more than any
 *     photo at the default pixel limit needs.
 * @param maxJpegScans the most scans a JPEG may hold before its first image ends. javax.imageio
 *     renders a progressive JPEG after each of its scans (about 20 ns per pixel each), so a 50 KB file
 *     repeating a tiny scan 2000 times keeps a thread busy for minutes. Encoders write about 10
 *     (libjpeg's default progression has 10, a baseline file 1 to 4); the default, {@value
 *     #DEFAULT_MAX_JPEG_SCANS}, leaves room for custom scan scripts.
 */
public record ImageLimits(long maxPixels, long maxBytes, int maxJpegScans) {
  public static final long DEFAULT_MAX_PIXELS = 2L * 89_478_485;
  public static final long DEFAULT_MAX_BYTES = 256L << 20;
  public static final int DEFAULT_MAX_JPEG_SCANS = 32;

  public ImageLimits {
    if (maxPixels < 1) {
      throw new InvalidInputException("maxPixels must be positive, got " + maxPixels);
    }
    if (maxBytes < 1) {
      throw new InvalidInputException("maxBytes must be positive, got " + maxBytes);
    }
    if (maxJpegScans < 1) {
      throw new InvalidInputException("maxJpegScans must be positive, got " + maxJpegScans);
    }
  }

  public static ImageLimits defaults() {
    return new ImageLimits(DEFAULT_MAX_PIXELS, DEFAULT_MAX_BYTES, DEFAULT_MAX_JPEG_SCANS);
  }

  public ImageLimits withMaxPixels(long pixels) {
    return new ImageLimits(pixels, maxBytes, maxJpegScans);
  }

  public ImageLimits withMaxBytes(long bytes) {
    return new ImageLimits(maxPixels, bytes, maxJpegScans);
  }

  public ImageLimits withMaxJpegScans(int scans) {
    return new ImageLimits(maxPixels, maxBytes, scans);
  }
}
