package dev.convlens.server;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Images the tests send: a filled triangle on gray, drawn with Java2D, encoded as PNG. */
final class TestImages {
  private TestImages() {}

  static BufferedImage triangle(int size) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(new Color(128, 128, 128));
    g.fillRect(0, 0, size, size);
    g.setColor(new Color(200, 40, 40));
    int m = size / 5;
    g.fillPolygon(new int[] {size / 2, size - m, m}, new int[] {m, size - m, size - m}, 3);
    g.dispose();
    return img;
  }

  static byte[] png(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static BufferedImage decode(byte[] png) {
    try {
      return ImageIO.read(new java.io.ByteArrayInputStream(png));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
