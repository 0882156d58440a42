package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convlens.bridge.FloatTensor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterGridTest {
  /** A gray tile with one bright pixel at column {@code k} of the first row, to tell tiles apart. */
  private static FilterResult marked(int k, int size) {
    float[] x = new float[size * size * 3];
    for (int ch = 0; ch < 3; ch++) {
      x[k * 3 + ch] = 1000;
    }
    return new FilterResult(k, FloatTensor.of(x, size, size, 3), List.of(0.0), 0.0);
  }

  @Test
  void bookSizeFor64FiltersOf64() {
    List<FilterResult> results = new ArrayList<>();
    for (int k = 0; k < 64; k++) {
      results.add(marked(k % 64, 64));
    }
    BufferedImage grid = FilterGrid.of(results, FilterGrid.BOOK_MARGIN);
    assertEquals(8 * 64 + 7 * 5, grid.getWidth());
    assertEquals(8 * 64 + 7 * 5, grid.getHeight());
  }

  @Test
  void columnsFillFirstAsInListing539() {
    int size = 8;
    int margin = 2;
    List<FilterResult> results = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      results.add(marked(k, size));
    }
    BufferedImage grid = FilterGrid.of(results, margin); // 3 x 3 cells
    assertEquals(3 * size + 2 * margin, grid.getWidth());
    for (int k = 0; k < 5; k++) {
      int row = k % 3;
      int col = k / 3;
      int x0 = col * (size + margin);
      int y0 = row * (size + margin);
      assertEquals(0xFFFFFF, grid.getRGB(x0 + k, y0) & 0xFFFFFF, "marker of result " + k);
      BufferedImage tile = results.get(k).image();
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          assertEquals(tile.getRGB(x, y), grid.getRGB(x0 + x, y0 + y), "result " + k + " at " + x + "," + y);
        }
      }
    }
    assertEquals(0, grid.getRGB(size, 0) & 0xFFFFFF, "margin is black");
    assertEquals(0, grid.getRGB(2 * (size + margin) + 3, 2 * (size + margin) + 3) & 0xFFFFFF, "empty cell is black");
  }
}
