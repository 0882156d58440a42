package dev.convlens.cli.demo;

import dev.convlens.bridge.FloatTensor;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo dataset: one shape (circle, cross, square or triangle) of a random color, size, position
 * and small rotation on a textured background (gradient, stripes, checkerboard or blobs) with
 * pixel noise, drawn with Java2D. Sample {@code i} of seed {@code s} depends on {@code (s, i)}
 * only, so any subset can be made in any order or in parallel and always looks the same.
 */
public final class Shapes {
  /** Class names in label order (sorted, as a folder dataset would list them). */
  public static final List<String> CLASSES = List.of("circle", "cross", "square", "triangle");
  public static final int SIZE = 64;

  private Shapes() {}

  /**
   * One generated image.
   *
   * @param image {@code [64, 64, 3]} RGB, 0..255
   * @param label index into {@link #CLASSES}
   * @param box the object's bounding box in pixels (x, y, width, height; inside the image)
   */
  public record Sample(FloatTensor image, int label, Rectangle box) {
    public String className() {
      return CLASSES.get(label);
    }
  }

  /** Sample {@code index} of the dataset with {@code seed}; the class is {@code index % 4}. */
  public static Sample sample(long seed, int index) {
    return sample(seed, index, index % CLASSES.size());
  }

  /** Sample {@code index} of the dataset with {@code seed}, forced to class {@code label}. */
  public static Sample sample(long seed, int index, int label) {
    SplittableRandom r = new SplittableRandom(mix(mix(seed) ^ (index + 0x9E3779B97F4A7C15L)));
    BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      Color bg = background(g, r);
      Shape shape = shape(label, r);
      Color fg = contrasting(bg, r);
      g.setColor(fg);
      g.fill(shape);
      Rectangle box = shape.getBounds().intersection(new Rectangle(0, 0, SIZE, SIZE));
      return new Sample(noisy(img, r), label, box);
    } finally {
      g.dispose();
    }
  }

  /** Paints a textured background; returns its mean color (to pick a visible object color). */
  private static Color background(Graphics2D g, SplittableRandom r) {
    Color a = randomColor(r);
    Color b = blend(a, randomColor(r), 0.15 + 0.3 * r.nextDouble());
    switch (r.nextInt(4)) {
      case 0 -> {
        g.setPaint(new GradientPaint(r.nextInt(SIZE), 0, a, r.nextInt(SIZE), SIZE, b));
        g.fillRect(0, 0, SIZE, SIZE);
      }
      case 1 -> {
        g.setColor(a);
        g.fillRect(0, 0, SIZE, SIZE);
        g.setColor(b);
        float width = 2 + r.nextInt(4);
        g.setStroke(new BasicStroke(width));
        AffineTransform saved = g.getTransform();
        g.rotate(r.nextDouble() * Math.PI, SIZE / 2.0, SIZE / 2.0);
        for (int y = -SIZE; y < 2 * SIZE; y += (int) (2 * width + r.nextInt(4))) {
          g.drawLine(-SIZE, y, 2 * SIZE, y);
        }
        g.setTransform(saved);
      }
      case 2 -> {
        int cell = 4 + r.nextInt(8);
        for (int y = 0; y < SIZE; y += cell) {
          for (int x = 0; x < SIZE; x += cell) {
            g.setColor(((x + y) / cell) % 2 == 0 ? a : b);
            g.fillRect(x, y, cell, cell);
          }
        }
      }
      default -> {
        g.setColor(a);
        g.fillRect(0, 0, SIZE, SIZE);
        for (int i = 0, n = 6 + r.nextInt(8); i < n; i++) {
          g.setColor(blend(a, b, r.nextDouble()));
          int d = 6 + r.nextInt(18);
          g.fillOval(r.nextInt(SIZE) - d / 2, r.nextInt(SIZE) - d / 2, d, d);
        }
      }
    }
    return blend(a, b, 0.5);
  }

  /** The object, 18 to 34 pixels across, rotated by up to 15 degrees, fully inside the image. */
  private static Shape shape(int label, SplittableRandom r) {
    double s = 18 + r.nextInt(17);
    Shape unit = switch (label) {
      case 0 -> new Ellipse2D.Double(-s / 2, -s / 2, s, s);
      case 1 -> {
        double t = s / 3;
        Area a = new Area(new Rectangle2D.Double(-s / 2, -t / 2, s, t));
        a.add(new Area(new Rectangle2D.Double(-t / 2, -s / 2, t, s)));
        yield a;
      }
      case 2 -> new Rectangle2D.Double(-s * 0.45, -s * 0.45, s * 0.9, s * 0.9);
      default -> {
        Path2D.Double p = new Path2D.Double();
        double h = s * Math.sqrt(3) / 2;
        p.moveTo(0, -h * 2 / 3);
        p.lineTo(s / 2, h / 3);
        p.lineTo(-s / 2, h / 3);
        p.closePath();
        yield p;
      }
    };
    AffineTransform rotate = AffineTransform.getRotateInstance(Math.toRadians(r.nextDouble(-15, 15)));
    Shape rotated = rotate.createTransformedShape(unit);
    Rectangle2D b = rotated.getBounds2D();
    double x = 1 - b.getMinX() + r.nextDouble() * (SIZE - 2 - b.getWidth());
    double y = 1 - b.getMinY() + r.nextDouble() * (SIZE - 2 - b.getHeight());
    return AffineTransform.getTranslateInstance(x, y).createTransformedShape(rotated);
  }

  /** A random color at least 120 away (RGB distance) from the background's mean. */
  private static Color contrasting(Color bg, SplittableRandom r) {
    for (int i = 0; i < 100; i++) {
      Color c = randomColor(r);
      int dr = c.getRed() - bg.getRed();
      int dg = c.getGreen() - bg.getGreen();
      int db = c.getBlue() - bg.getBlue();
      if (dr * dr + dg * dg + db * db >= 120 * 120) {
        return c;
      }
    }
    return new Color(255 - bg.getRed(), 255 - bg.getGreen(), 255 - bg.getBlue());
  }

  private static Color randomColor(SplittableRandom r) {
    return new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256));
  }

  private static Color blend(Color a, Color b, double t) {
    return new Color((int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
        (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
        (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
  }

  /** HWC floats with uniform pixel noise of +-12, clipped to 0..255. */
  private static FloatTensor noisy(BufferedImage img, SplittableRandom r) {
    float[] d = new float[SIZE * SIZE * 3];
    int k = 0;
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        int rgb = img.getRGB(x, y);
        for (int shift = 16; shift >= 0; shift -= 8) {
          double v = ((rgb >> shift) & 0xff) + r.nextDouble(-12, 12);
          d[k++] = (float) Math.rint(Math.max(0, Math.min(255, v)));
        }
      }
    }
    return new FloatTensor(new long[] {SIZE, SIZE, 3}, d);
  }

  /** SplitMix64's finaliser: nearby seeds and indices give unrelated streams. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
