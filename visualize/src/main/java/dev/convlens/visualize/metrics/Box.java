package dev.convlens.visualize.metrics;

import dev.convlens.bridge.InvalidInputException;

/**
 * An object's box in image pixels, half-open: it holds the pixels {@code left <= x < right},
 * {@code top <= y < bottom} (x the column, y the row).
 */
public record Box(int left, int top, int right, int bottom) {
  public Box {
    if (left < 0 || top < 0 || right <= left || bottom <= top) {
      throw new InvalidInputException("box needs 0 <= left < right and 0 <= top < bottom, got " + left + ", " + top
          + ", " + right + ", " + bottom);
    }
  }

  /** The Euclidean distance from pixel (x, y) to the nearest pixel of the box; 0 inside. */
  double distance(int x, int y) {
    int dx = Math.max(0, Math.max(left - x, x - (right - 1)));
    int dy = Math.max(0, Math.max(top - y, y - (bottom - 1)));
    return Math.sqrt((double) dx * dx + (double) dy * dy);
  }
}
