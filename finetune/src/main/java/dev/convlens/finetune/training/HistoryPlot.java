package dev.convlens.finetune.training;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws a {@link History} like the book's matplotlib figures: "Training and validation accuracy"
 * and "... loss" side by side, training as blue dots, validation as a blue line, with a dashed line
 * where a new phase starts. Plain java.awt into a PNG, written atomically.
 */
final class HistoryPlot {
  private static final int PANEL_W = 560;
  private static final int PANEL_H = 420;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 40;
  private static final int BOTTOM = 50;
  private static final Color BLUE = new Color(31, 119, 180);

  private HistoryPlot() {}

  static void write(History history, Path png) {
    if (history.isEmpty()) {
      throw new ConvlensException("cannot plot an empty history to " + png);
    }
    BufferedImage img = new BufferedImage(2 * PANEL_W, PANEL_H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      // accuracy rises and loss falls: legends where the curves usually are not
      panel(g, 0, history.epochs(), "Training and validation accuracy", EpochMetrics::accuracy, EpochMetrics::valAccuracy,
          false);
      panel(g, PANEL_W, history.epochs(), "Training and validation loss", EpochMetrics::loss, EpochMetrics::valLoss, true);
    } finally {
      g.dispose();
    }
    Path target = png.toAbsolutePath().normalize();
    try {
      AtomicFiles.write(target, tmp -> {
        if (!ImageIO.write(img, "png", tmp.toFile())) {
          throw new IOException("no PNG writer");
        }
      });
    } catch (IOException e) {
      throw AtomicFiles.failure(target, e);
    }
  }

  private static void panel(Graphics2D g, int x0, List<EpochMetrics> epochs, String title,
      ToDoubleFunction<EpochMetrics> train, ToDoubleFunction<EpochMetrics> val, boolean legendTop) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (EpochMetrics e : epochs) {
      for (double v : new double[] {train.applyAsDouble(e), val.applyAsDouble(e)}) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (!Double.isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    double pad = Math.max((hi - lo) * 0.05, 1e-3);
    lo -= pad;
    hi += pad;
    int px = x0 + LEFT;
    int pw = PANEL_W - LEFT - RIGHT;
    int py = TOP;
    int ph = PANEL_H - TOP - BOTTOM;
    int first = epochs.get(0).epoch();
    int last = epochs.get(epochs.size() - 1).epoch();
    double xlo = first - 0.5;
    double xhi = Math.max(last + 0.5, first + 0.5);
    final double ylo = lo;
    final double yhi = hi;
    java.util.function.DoubleUnaryOperator sx = v -> px + (v - xlo) / (xhi - xlo) * pw;
    java.util.function.DoubleUnaryOperator sy = v -> py + ph - (v - ylo) / (yhi - ylo) * ph;

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics fm = g.getFontMetrics();
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(px, py, pw, ph);
    // y ticks: 5 steps at "nice" values
    double step = niceStep((yhi - ylo) / 5);
    for (double t = Math.ceil(ylo / step) * step; t <= yhi; t += step) {
      int y = (int) Math.round(sy.applyAsDouble(t));
      g.drawLine(px - 4, y, px, y);
      String s = format(t, step);
      g.drawString(s, px - 6 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
    }
    int xstep = Math.max(1, (int) niceStep((last - first + 1) / 8.0));
    for (int t = first; t <= last; t++) {
      if ((t - first) % xstep != 0 && t != last) {
        continue;
      }
      int x = (int) Math.round(sx.applyAsDouble(t));
      g.drawLine(x, py + ph, x, py + ph + 4);
      String s = Integer.toString(t);
      g.drawString(s, x - fm.stringWidth(s) / 2, py + ph + 6 + fm.getAscent());
    }
    g.drawString("epoch", px + pw / 2 - fm.stringWidth("epoch") / 2, PANEL_H - 12);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    FontMetrics tm = g.getFontMetrics();
    g.drawString(title, px + pw / 2 - tm.stringWidth(title) / 2, TOP - 14);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

    // phase boundaries
    g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
    g.setColor(Color.GRAY);
    int labelY = legendTop ? py + ph - 8 : py + 16;
    String current = epochs.get(0).phase();
    g.drawString(current, px + 6, labelY);
    for (int i = 1; i < epochs.size(); i++) {
      if (!epochs.get(i).phase().equals(current)) {
        current = epochs.get(i).phase();
        double x = sx.applyAsDouble(epochs.get(i).epoch() - 0.5);
        g.draw(new Line2D.Double(x, py, x, py + ph));
        g.drawString(current, (int) x + 6, labelY);
      }
    }

    // validation: line; training: dots
    g.setStroke(new BasicStroke(2f));
    g.setColor(BLUE);
    Path2D line = new Path2D.Double();
    boolean started = false;
    for (EpochMetrics e : epochs) {
      double v = val.applyAsDouble(e);
      if (!Double.isFinite(v)) {
        continue;
      }
      double x = sx.applyAsDouble(e.epoch());
      double y = sy.applyAsDouble(v);
      if (started) {
        line.lineTo(x, y);
      } else {
        line.moveTo(x, y);
        started = true;
      }
    }
    g.draw(line);
    g.setColor(BLUE);
    for (EpochMetrics e : epochs) {
      double v = train.applyAsDouble(e);
      if (Double.isFinite(v)) {
        int x = (int) Math.round(sx.applyAsDouble(e.epoch()));
        int y = (int) Math.round(sy.applyAsDouble(v));
        g.fillOval(x - 4, y - 4, 8, 8);
      }
    }
    // legend
    int lx = px + pw - 150;
    int ly = legendTop ? py + 12 : py + ph - 44;
    g.setColor(Color.WHITE);
    g.fillRect(lx - 6, ly - 8, 150, 40);
    g.setColor(Color.LIGHT_GRAY);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(lx - 6, ly - 8, 150, 40);
    g.setColor(BLUE);
    g.fillOval(lx + 6, ly - 4, 8, 8);
    g.setColor(Color.BLACK);
    g.drawString("Training", lx + 30, ly + 4);
    g.setColor(BLUE);
    g.setStroke(new BasicStroke(2f));
    g.drawLine(lx, ly + 18, lx + 20, ly + 18);
    g.setColor(Color.BLACK);
    g.drawString("Validation", lx + 30, ly + 22);
  }

  private static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / p;
    double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nice * p;
  }

  private static String format(double v, double step) {
    int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step)));
    return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step / 1e6 ? 0.0 : v);
  }
}
