package dev.convlens.bridge.image;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Keras' {@code load_img(path, color_mode, target_size)} followed by {@code img_to_array}: decode,
 * convert the mode as Pillow does, resize with Pillow's NEAREST (the Keras default) when the size
 * differs, and return float32 values 0..255 as an {@code [height, width, channels]} array.
 *
 * <p>For PNG, BMP and GIF the result is bit-identical to Keras. JPEGs are decoded by the JDK's
 * libjpeg 6b rather than Pillow's libjpeg-turbo; both use the islow IDCT and fancy upsampling, and
 * the golden JPEGs decode to identical bytes, but other JDKs or exotic files may differ by a grey
 * level or two. Interlaced GIFs only 2 to 4 rows high are mis-decoded by the JDK. No
 * preprocessing happens here: apply a {@link Preprocessing} next. EXIF orientation is ignored, as
 * in Keras.
 *
 * <p>Files are read within {@link ImageLimits} (the defaults unless the full overload is given others):
 * only regular files are opened, the pixel count is checked from the header before decoding, and
 * metadata is skipped. Every failure caused by the file is an {@link ImageReadException} naming it.
 */
public final class KerasImages {
  private KerasImages() {}

  /** The image at its original size, RGB, within {@link ImageLimits#defaults()}. */
  public static FloatTensor loadImg(Path file) {
    return loadImg(file, ColorMode.RGB);
  }

  /** The image at its original size, within {@link ImageLimits#defaults()}. */
  public static FloatTensor loadImg(Path file, ColorMode mode) {
    return loadImg(file, 0, 0, mode, ImageLimits.defaults());
  }

  /** The image resized to {@code height x width} with Pillow NEAREST, RGB, within {@link ImageLimits#defaults()}. */
  public static FloatTensor loadImg(Path file, int height, int width) {
    return loadImg(file, height, width, ColorMode.RGB);
  }

  /**
   * The image resized to {@code height x width} with Pillow NEAREST (Keras' {@code target_size=(height, width)}),
   * within {@link ImageLimits#defaults()}.
   */
  public static FloatTensor loadImg(Path file, int height, int width, ColorMode mode) {
    checkSize(height, width);
    return loadImg(file, height, width, mode, ImageLimits.defaults());
  }

  /**
   * The full form: the image resized to {@code height x width} with Pillow NEAREST, or at its original
   * size when both are 0 (Keras' {@code target_size=None}), refused with an {@link ImageReadException}
   * when the file breaks {@code limits} (a service reading untrusted files should set its own).
   */
  public static FloatTensor loadImg(Path file, int height, int width, ColorMode mode, ImageLimits limits) {
    InvalidInputException.requireNonNull(file, "file");
    InvalidInputException.requireNonNull(mode, "mode");
    InvalidInputException.requireNonNull(limits, "limits");
    if (height != 0 || width != 0) {
      checkSize(height, width);
    }
    // at the original size the float array takes 4 bytes per channel of every decoded pixel
    int outputBytesPerPixel = height == 0 ? 4 * mode.channels() : 0;
    return toArray(ImageDecoder.read(file, limits, outputBytesPerPixel), height, width, mode, file);
  }

  /**
   * Reads and decodes {@code file} within {@code limits} without converting it, e.g. to keep the
   * original for an overlay. {@code bytesPerPixelAfter} is what the caller will allocate per pixel
   * from it (12 for a float RGB copy), so an image that cannot fit in the heap is refused from its header.
   */
  public static BufferedImage readImage(Path file, ImageLimits limits, int bytesPerPixelAfter) {
    InvalidInputException.requireNonNull(file, "file");
    InvalidInputException.requireNonNull(limits, "limits");
    return ImageDecoder.read(file, limits, bytesPerPixelAfter);
  }

  /**
   * Decodes an encoded image held in memory (PNG, JPEG, GIF, BMP, ...) within {@code limits}: what
   * a service receives in a request body. Failures are {@link ImageReadException}s without a file.
   */
  public static BufferedImage decodeImage(byte[] encoded, ImageLimits limits, int bytesPerPixelAfter) {
    InvalidInputException.requireNonNull(encoded, "encoded");
    InvalidInputException.requireNonNull(limits, "limits");
    if (encoded.length > limits.maxBytes()) {
      throw new ImageReadException(null, "image of " + encoded.length + " bytes is larger than the limit of "
          + limits.maxBytes() + " bytes (ImageLimits.maxBytes)");
    }
    return ImageDecoder.decode(encoded, null, limits, bytesPerPixelAfter);
  }

  /**
   * All bytes of {@code in}, never more than {@code limits.maxBytes()} (an {@link ImageReadException}
   * as soon as there are more, whatever the stream claims). The stream is not closed.
   */
  public static byte[] readBytes(InputStream in, ImageLimits limits) {
    InvalidInputException.requireNonNull(in, "in");
    InvalidInputException.requireNonNull(limits, "limits");
    int cap = (int) Math.min(limits.maxBytes(), BoundedInput.MAX_ARRAY);
    try {
      byte[] bytes = BoundedInput.readAtMost(in, Math.min(cap, 1 << 16), cap);
      if (bytes == null) {
        throw new ImageReadException(null, "image stream is longer than the limit of " + cap
            + " bytes (ImageLimits.maxBytes)");
      }
      return bytes;
    } catch (IOException e) {
      throw new ImageReadException(null, "cannot read image stream: " + e, e);
    }
  }

  /** An in-memory image at its original size, converted like a decoded file. */
  public static FloatTensor fromBufferedImage(BufferedImage image, ColorMode mode) {
    InvalidInputException.requireNonNull(image, "image");
    return toArray(image, 0, 0, mode, null);
  }

  /** An in-memory image resized to {@code height x width} with Pillow NEAREST. */
  public static FloatTensor fromBufferedImage(BufferedImage image, int height, int width, ColorMode mode) {
    InvalidInputException.requireNonNull(image, "image");
    checkSize(height, width);
    return toArray(image, height, width, mode, null);
  }

  /**
   * The source index Pillow's NEAREST resize picks for each of {@code dstSize} output positions
   * along one axis. Pillow accumulates the position in double precision, which is not the same
   * as {@code floor((i + 0.5) * src / dst)} for every size pair (e.g. 899 -> 180).
   */
  public static int[] nearestIndices(int srcSize, int dstSize) {
    if (srcSize < 1 || dstSize < 1) {
      throw new InvalidInputException("sizes must be positive, got source " + srcSize + ", target " + dstSize);
    }
    int[] idx = new int[dstSize];
    double scale = (double) srcSize / dstSize;
    double pos = 0.5 * scale;
    for (int i = 0; i < dstSize; i++) {
      idx[i] = Math.min((int) pos, srcSize - 1);
      pos += scale;
    }
    return idx;
  }

  private static FloatTensor toArray(BufferedImage image, int height, int width, ColorMode mode, @Nullable Path file) {
    InvalidInputException.requireNonNull(mode, "mode");
    int srcW = image.getWidth();
    int srcH = image.getHeight();
    int h = height > 0 ? height : srcH;
    int w = width > 0 ? width : srcW;
    int c = mode.channels();
    long n = (long) h * w * c;
    if (n > Integer.MAX_VALUE - 8) {
      String what = "image of " + h + "x" + w + "x" + c + " is too large for one float array";
      // a file's own size is the file's problem; a requested target size is the caller's
      throw file != null && height == 0 ? new ImageReadException(file, what) : new InvalidInputException(what);
    }
    PilPixels.Source pixels = PilPixels.of(image, mode, file);
    int[] rows = nearestIndices(srcH, h);
    int[] cols = nearestIndices(srcW, w);
    float[] data = new float[(int) n];
    int[] px = new int[c];
    int at = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        pixels.get(cols[x], rows[y], px);
        for (int k = 0; k < c; k++) {
          data[at++] = px[k];
        }
      }
    }
    return new FloatTensor(new long[] {h, w, c}, data);
  }

  private static void checkSize(int height, int width) {
    if (height < 1 || width < 1) {
      throw new InvalidInputException("target size must be positive (or both 0 for the original size in the full"
          + " loadImg), got height " + height + ", width " + width);
    }
  }
}
