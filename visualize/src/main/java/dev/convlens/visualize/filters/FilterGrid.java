package dev.convlens.visualize.filters;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.visualize.render.Grid;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** The book's listing 5.39: filter pictures in an n x n grid on black, {@code margin} pixels apart. */
public final class FilterGrid {
  /** The book's gap between tiles. */
  public static final int BOOK_MARGIN = 5;

  private FilterGrid() {}

  /**
   * The pictures of {@code results} in an n x n grid, n = ceil(sqrt(count)), so 64 filters of size
   * 64 make the book's {@code 8*64 + 7*5} = 547 px square. As in the listing, result k goes to row
   * {@code k % n}, column {@code k / n} (columns fill first); cells without a result stay black.
   */
  public static BufferedImage of(List<FilterResult> results, int margin) {
    if (results == null || results.isEmpty()) {
      throw new InvalidInputException("a filter grid needs at least one result");
    }
    List<BufferedImage> images = new ArrayList<>(results.size());
    for (FilterResult r : results) {
      images.add(r.image());
    }
    int n = (int) Math.ceil(Math.sqrt(images.size()));
    BufferedImage blank = new BufferedImage(images.get(0).getWidth(), images.get(0).getHeight(), BufferedImage.TYPE_INT_RGB);
    List<BufferedImage> rowMajor = new ArrayList<>(n * n);
    for (int row = 0; row < n; row++) {
      for (int col = 0; col < n; col++) {
        int k = row + col * n;
        rowMajor.add(k < images.size() ? images.get(k) : blank);
      }
    }
    return Grid.of(rowMajor, n, margin, Color.BLACK);
  }
}
