package dev.convlens.visualize.render;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.io.AtomicFiles;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Float arrays to images and images to files (PNG or JPEG by extension, written atomically). */
public final class Images {
  private Images() {}

  /**
   * An {@code [H, W, 3]} (or {@code [H, W, 1]}) array of 0..255 values as an RGB image: values are
   * clipped, then truncated to 8 bits as numpy's {@code astype('uint8')} does after a clip; NaN is black.
   */
  public static BufferedImage rgb(FloatTensor hwc) {
    if (hwc.rank() != 3 || (hwc.dim(2) != 3 && hwc.dim(2) != 1)) {
      throw new InvalidInputException("expected an [H, W, 3] or [H, W, 1] image array, got "
          + Arrays.toString(hwc.shape()));
    }
    int h = (int) hwc.dim(0);
    int w = (int) hwc.dim(1);
    int c = (int) hwc.dim(2);
    float[] d = hwc.data();
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int at = (y * w + x) * c;
        int r = byteOf(d[at]);
        int g = c == 3 ? byteOf(d[at + 1]) : r;
        int b = c == 3 ? byteOf(d[at + 2]) : r;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return img;
  }

  /** A single-channel map through a colormap, after linear scaling of {@code [lo, hi]} to [0, 1]. */
  public static BufferedImage colored(float[] values, int height, int width, double lo, double hi, Colormap map) {
    if (values.length != height * width) {
      throw new InvalidInputException(values.length + " values do not fill " + height + "x" + width);
    }
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    double span = hi - lo;
    for (int i = 0; i < values.length; i++) {
      double t = span > 0 ? (values[i] - lo) / span : 0;
      img.setRGB(i % width, i / width, map.rgb(t));
    }
    return img;
  }

  static int byteOf(float v) {
    if (!(v > 0)) {
      return 0;
    }
    return v >= 255 ? 255 : (int) v;
  }

  /**
   * Writes {@code image} as PNG, or JPEG for {@code .jpg}/{@code .jpeg}, through a temporary file
   * in the same directory, so a reader never sees a half-written picture.
   */
  public static void write(BufferedImage image, Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String format = name.endsWith(".jpg") || name.endsWith(".jpeg") ? "jpg" : "png";
    try {
      AtomicFiles.write(file, tmp -> {
        if (!ImageIO.write(image, format, tmp.toFile())) {
          throw new IOException("no image writer for " + format);
        }
      });
    } catch (IOException e) {
      throw new ConvlensException("cannot write image " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code image} as PNG bytes, e.g. for an HTTP response. */
  public static byte[] png(BufferedImage image) {
    InvalidInputException.requireNonNull(image, "image");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new ConvlensException("no PNG writer for an image of type " + image.getType());
      }
    } catch (IOException e) {
      throw new ConvlensException("cannot encode PNG: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** {@code image} as JPEG bytes at {@code quality} in [0, 1] (alpha, which JPEG cannot hold, is dropped). */
  public static byte[] jpeg(BufferedImage image, float quality) {
    InvalidInputException.requireNonNull(image, "image");
    if (!(quality >= 0 && quality <= 1)) {
      throw new InvalidInputException("JPEG quality must be in [0, 1], got " + quality);
    }
    BufferedImage rgb = image;
    if (image.getType() != BufferedImage.TYPE_INT_RGB && image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
      rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
      Graphics2D g = rgb.createGraphics();
      g.drawImage(image, 0, 0, null);
      g.dispose();
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.setOutput(stream);
      writer.write(null, new IIOImage(rgb, null, null), param);
    } catch (IOException e) {
      throw new ConvlensException("cannot encode JPEG: " + e.getMessage(), e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
