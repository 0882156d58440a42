package dev.convlens.visualize.render;

import dev.convlens.bridge.InvalidInputException;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** Tiles laid out in rows with margins between them (the book's filter and activation grids), and titles. */
public final class Grid {
  private Grid() {}

  /**
   * {@code tiles} (all the same size) in rows of {@code columns}, {@code margin} pixels between
   * tiles and none around them, so n x n tiles of size s span {@code n*s + (n-1)*margin}.
   */
  public static BufferedImage of(List<BufferedImage> tiles, int columns, int margin, Color background) {
    if (tiles.isEmpty() || columns < 1 || margin < 0) {
      throw new InvalidInputException("a grid needs tiles, columns >= 1 and margin >= 0");
    }
    int tw = tiles.get(0).getWidth();
    int th = tiles.get(0).getHeight();
    int cols = Math.min(columns, tiles.size());
    int rows = (tiles.size() + columns - 1) / columns;
    BufferedImage grid = new BufferedImage(cols * tw + (cols - 1) * margin, rows * th + (rows - 1) * margin,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    try {
      g.setColor(background);
      g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
      for (int i = 0; i < tiles.size(); i++) {
        BufferedImage t = tiles.get(i);
        if (t.getWidth() != tw || t.getHeight() != th) {
          throw new InvalidInputException("tile " + i + " is " + t.getWidth() + "x" + t.getHeight()
              + ", expected " + tw + "x" + th);
        }
        g.drawImage(t, (i % columns) * (tw + margin), (i / columns) * (th + margin), null);
      }
    } finally {
      g.dispose();
    }
    return grid;
  }

  /** {@code image} with a white band above it holding {@code title}. */
  public static BufferedImage titled(BufferedImage image, String title) {
    int band = 22;
    BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight() + band, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, out.getWidth(), band);
      g.drawImage(image, 0, band, null);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
      g.setColor(Color.BLACK);
      FontMetrics m = g.getFontMetrics();
      g.drawString(title, 4, (band + m.getAscent() - m.getDescent()) / 2);
    } finally {
      g.dispose();
    }
    return out;
  }
}
