package dev.convlens.bridge.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Reads pixels of a decoded {@link BufferedImage} the way Pillow would hand them to Keras after
 * {@code convert(mode)}. javax.imageio and Pillow agree on the raw samples of lossless formats; what
 * must be copied from Pillow are its mode conversions (Convert.c):
 *
 * <ul>
 *   <li>RGB/RGBA/P to L: {@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16};
 *   <li>RGBA/LA to RGB: alpha is dropped, not blended;
 *   <li>palette images take the palette colour (and its tRNS alpha for RGBA);
 *   <li>16-bit RGB(A) and 16-bit grey+alpha PNGs keep the high byte (Pillow unpacks them as 8-bit);
 *   <li>16-bit grey PNGs open as mode "I": to RGB/RGBA the value is clipped to 0..255 (not scaled),
 *       and Keras leaves them unconverted for grayscale, so values go up to 65535.
 * </ul>
 *
 * Raster samples are read directly, never through {@code getRGB}, which would apply colour-space
 * conversions (e.g. linear grey to sRGB) that Pillow does not.
 */
final class PilPixels {
  /** Writes the converted channels of pixel (x, y) into {@code out[0..channels)}. */
  interface Source {
    void get(int x, int y, int[] out);
  }

  private PilPixels() {}

  static Source of(BufferedImage image, ColorMode mode, @Nullable Path file) {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm instanceof IndexColorModel icm) {
      return palette(icm, raster, mode);
    }
    int type = raster.getTransferType();
    if (type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE) {
      throw new ImageReadException(file, "floating-point rasters are not supported; use an 8- or 16-bit image");
    }
    for (int i = 0; i < cm.getNumComponents(); i++) {
      if (cm.getComponentSize(i) < 1) {
        // a damaged TIFF can declare a zero-bit colour mask
        throw new ImageReadException(file, "corrupt image: component " + i + " has " + cm.getComponentSize(i)
            + " bits per sample; expected 1 to 32");
      }
    }
    int colorType = cm.getColorSpace().getType();
    int colors = cm.getNumColorComponents();
    if (colorType == ColorSpace.TYPE_RGB && colors == 3) {
      return rgb(cm, raster, mode);
    }
    if (colorType == ColorSpace.TYPE_GRAY && colors == 1) {
      return gray(cm, raster, mode);
    }
    throw new ImageReadException(file, "unsupported colour space with " + colors + " components (type "
        + colorType + ", e.g. CMYK); convert the image to RGB first");
  }

  /** Pillow's L24 luma with its fixed-point rounding. */
  static int luma(int r, int g, int b) {
    return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
  }

  private static Source palette(IndexColorModel icm, Raster raster, ColorMode mode) {
    int n = icm.getMapSize();
    // one extra opaque black entry for indices past the palette (damaged files)
    int[] r = new int[n + 1];
    int[] g = new int[n + 1];
    int[] b = new int[n + 1];
    int[] a = new int[n + 1];
    int[] l = new int[n + 1];
    a[n] = 255;
    for (int i = 0; i < n; i++) {
      r[i] = icm.getRed(i);
      g[i] = icm.getGreen(i);
      b[i] = icm.getBlue(i);
      a[i] = icm.getAlpha(i);
      l[i] = luma(r[i], g[i], b[i]);
    }
    return (x, y, out) -> {
      int i = Math.min(raster.getSample(x, y, 0), n);
      switch (mode) {
        case GRAYSCALE -> out[0] = l[i];
        case RGB -> {
          out[0] = r[i];
          out[1] = g[i];
          out[2] = b[i];
        }
        case RGBA -> {
          out[0] = r[i];
          out[1] = g[i];
          out[2] = b[i];
          out[3] = a[i];
        }
      }
    };
  }

  private static Source rgb(ColorModel cm, Raster raster, ColorMode mode) {
    int bands = raster.getNumBands();
    boolean alpha = cm.hasAlpha() && bands >= 4;
    boolean premultiplied = alpha && cm.isAlphaPremultiplied();
    int[] bits = {cm.getComponentSize(0), cm.getComponentSize(1), cm.getComponentSize(2), alpha ? cm.getComponentSize(3) : 8};
    return (x, y, out) -> {
      int r = to8(raster.getSample(x, y, 0), bits[0]);
      int g = to8(raster.getSample(x, y, 1), bits[1]);
      int b = to8(raster.getSample(x, y, 2), bits[2]);
      int a = alpha ? to8(raster.getSample(x, y, 3), bits[3]) : 255;
      if (premultiplied && a != 0 && a != 255) {
        // only in-memory images are premultiplied; undo it like Pillow's RGBa -> RGBA
        r = Math.min(255, 255 * r / a);
        g = Math.min(255, 255 * g / a);
        b = Math.min(255, 255 * b / a);
      }
      switch (mode) {
        case GRAYSCALE -> out[0] = luma(r, g, b);
        case RGB -> {
          out[0] = r;
          out[1] = g;
          out[2] = b;
        }
        case RGBA -> {
          out[0] = r;
          out[1] = g;
          out[2] = b;
          out[3] = a;
        }
      }
    };
  }

  private static Source gray(ColorModel cm, Raster raster, ColorMode mode) {
    boolean alpha = cm.hasAlpha() && raster.getNumBands() >= 2;
    int bits = cm.getComponentSize(0);
    int alphaBits = alpha ? cm.getComponentSize(1) : 8;
    // 16-bit grey without alpha is Pillow mode "I": keep the value, clip when converting to RGB(A)
    boolean modeI = bits == 16 && !alpha;
    return (x, y, out) -> {
      int raw = raster.getSample(x, y, 0);
      int v = modeI ? Math.min(255, Math.max(0, raw)) : to8(raw, bits);
      int a = alpha ? to8(raster.getSample(x, y, 1), alphaBits) : 255;
      switch (mode) {
        case GRAYSCALE -> out[0] = modeI ? raw : v;
        case RGB -> {
          out[0] = v;
          out[1] = v;
          out[2] = v;
        }
        case RGBA -> {
          out[0] = v;
          out[1] = v;
          out[2] = v;
          out[3] = a;
        }
      }
    };
  }

  /** A sample of the given bit depth as 8 bits: 16-bit keeps the high byte (Pillow's ";16B" unpackers). */
  private static int to8(int v, int bits) {
    if (bits == 8) {
      return v;
    }
    if (bits == 16) {
      return v >>> 8;
    }
    if (bits > 8) {
      return v >>> (bits - 8);
    }
    int max = (1 << bits) - 1; // e.g. 5-6-5 packed in-memory images: spread to 0..255
    return (v * 255 + max / 2) / max;
  }
}
