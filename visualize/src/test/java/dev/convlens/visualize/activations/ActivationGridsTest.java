package dev.convlens.visualize.activations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.visualize.render.Colormap;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Grid geometry and the book's standardization against values computed by hand (see {@link HandModel}). */
class ActivationGridsTest {
  private static final int WHITE = 0xffffff;
  private static KerasModel model;
  private static LayerActivations acts;

  @BeforeAll
  static void fetch() {
    model = HandModel.load();
    acts = Activations.fetch(model, HandModel.BATCH, List.of("c", "p", "f"));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static int viridis(int u) {
    return Colormap.VIRIDIS.rgb(u / 255.0);
  }

  @Test
  void standardizationIsTheBooksFormula() {
    // x = 1..6: mean 3.5, std sqrt(35/12) = 1.7078251; (x - 3.5) / std * 64 + 128
    float[] z = ActivationGrids.standardize(new float[] {1, 2, 3, 4, 5, 6});
    double[] byHand = {34.3136, 71.7882, 109.2627, 146.7373, 184.2118, 221.6864};
    for (int i = 0; i < 6; i++) {
      assertEquals(byHand[i], z[i], 1e-3, "x = " + (i + 1));
    }
    // x = 0,0,0,0,0,10: mean 5/3, std 5*sqrt(5)/3, so z = -1/sqrt(5) and sqrt(5): 128 - 64/sqrt(5) = 99.378, 271.1 -> 255
    float[] clipped = ActivationGrids.standardize(new float[] {0, 0, 0, 0, 0, 10});
    assertEquals(128 - 64 / Math.sqrt(5), clipped[0], 1e-4);
    assertEquals(255f, clipped[5]);
  }

  @Test
  void zeroVarianceChannelsAreZeroNotNaN() {
    assertArrayEquals(new float[4], ActivationGrids.standardize(new float[4]));
    assertArrayEquals(new float[3], ActivationGrids.standardize(new float[] {5, 5, 5}));
    for (float v : ActivationGrids.standardize(new float[] {0, Float.MIN_VALUE, 0})) {
      assertTrue(Float.isFinite(v) && v >= 0 && v <= 255, "denormal spread gives " + v);
    }
  }

  @Test
  void gridGeometryAndKnownPixels() {
    LayerOutput conv = acts.get("c");
    List<ActivationGrid> grids = ActivationGrids.render(conv, 0, GridOptions.defaults().withScale(2));
    assertEquals(1, grids.size());
    ActivationGrid g = grids.get(0);
    // 18 channels, 16 per row: 2 rows x 16 columns of (2*2) x (3*2) tiles, 1 pixel apart
    assertEquals(2, g.rows());
    assertEquals(16, g.columns());
    assertEquals(4, g.tileHeight());
    assertEquals(6, g.tileWidth());
    assertEquals(1, g.margin());
    assertEquals(18, g.channelCount());
    BufferedImage img = g.picture();
    assertEquals(16 * 6 + 15, img.getWidth());
    assertEquals(g.titleHeight() + 2 * 4 + 1, img.getHeight());
    assertTrue(g.titleHeight() > 0);
    int top = g.titleHeight();
    // channel 0 = x: value 1 (row 0, col 0) -> 34, value 6 (row 1, col 2) -> 221; each a 2x2 block
    assertEquals(viridis(34), rgb(img, top, 0));
    assertEquals(viridis(34), rgb(img, top + 1, 1));
    assertEquals(viridis(221), rgb(img, top + 3, 5));
    // channel 1 = -2x is the mirror image: value 1 -> 221
    assertEquals(viridis(221), rgb(img, top, 7));
    // channel 2 (all zero) and channel 3 (constant 5): zero variance, the lowest color
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 6; x++) {
        assertEquals(viridis(0), rgb(img, top + y, 2 * 7 + x));
        assertEquals(viridis(0), rgb(img, top + y, 3 * 7 + x));
      }
    }
    // channel 17 (row 1, column 1) = 17x - 1 standardizes like x
    assertEquals(viridis(34), rgb(img, top + 5, 7));
    assertEquals(viridis(221), rgb(img, top + 5 + 3, 7 + 5));
    // margins and the unused cells of the last row are background
    assertEquals(WHITE, rgb(img, top, 6));
    assertEquals(WHITE, rgb(img, top + 4, 0));
    assertEquals(WHITE, rgb(img, top + 5, 2 * 7));
  }

  @Test
  void secondImageOfTheBatchClipsItsOutlier() {
    ActivationGrid g = ActivationGrids.render(acts.get("c"), 1, GridOptions.defaults().withMargin(0)).get(0);
    int top = g.titleHeight();
    assertEquals(16 * 3, g.picture().getWidth());
    assertEquals(viridis(99), rgb(g.picture(), top, 0));
    assertEquals(viridis(255), rgb(g.picture(), top + 1, 2));
  }

  @Test
  void pagesAndCaps() {
    List<ActivationGrid> pages = ActivationGrids.render(acts.get("c"), 0, GridOptions.defaults().withChannelsPerPage(16));
    assertEquals(2, pages.size());
    assertEquals(16, pages.get(0).channelCount());
    assertEquals(16, pages.get(1).firstChannel());
    assertEquals(2, pages.get(1).channelCount());
    assertEquals(1, pages.get(1).rows());
    assertEquals(2, pages.get(1).columns());
    assertEquals(2 * 3 + 1, pages.get(1).picture().getWidth());
    assertEquals(1, pages.get(1).page());
    assertEquals(2, pages.get(1).pages());

    List<ActivationGrid> capped = ActivationGrids.render(acts.get("c"), 0, GridOptions.defaults().withMaxChannels(4).withImagesPerRow(2));
    assertEquals(1, capped.size());
    assertEquals(4, capped.get(0).channelCount());
    assertEquals(2, capped.get(0).rows());
    assertEquals(2, capped.get(0).columns());
  }

  @Test
  void singleChannelIsTheRawMapStretchedOverViridis() {
    BufferedImage img = ActivationGrids.renderChannel(acts.get("c"), 0, 0, 3);
    assertEquals(9, img.getWidth());
    assertEquals(6, img.getHeight());
    for (int i = 0; i < 6; i++) {
      // matshow: (x - min) / (max - min) = (x - 1) / 5 for x = i + 1
      assertEquals(Colormap.VIRIDIS.rgb(i / 5.0), rgb(img, (i / 3) * 3 + 1, (i % 3) * 3 + 2), "x = " + (i + 1));
    }
    BufferedImage constant = ActivationGrids.renderChannel(acts.get("c"), 1, 3, 1);
    assertEquals(Colormap.VIRIDIS.rgb(0), rgb(constant, 1, 2));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ActivationGrids.renderChannel(acts.get("c"), 0, 18, 1));
    assertTrue(e.getMessage().contains("0..17"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> ActivationGrids.renderChannel(acts.get("c"), 2, 0, 1));
  }

  @Test
  void statsOfTheHandModel() {
    LayerStats s = acts.get("c").stats();
    assertEquals(2, s.batchSize());
    assertEquals(2, s.height());
    assertEquals(3, s.width());
    assertEquals(18, s.channels());
    assertEquals(1, s.blankChannels(), "only the all-zero channel 2; channel 3 is constant 5");
    assertEquals(1 / 18.0, s.blankFraction(), 1e-12);
    assertEquals(17 * 10 - 1, s.max(), 1e-4);
    assertEquals(-20, s.min(), 1e-4);
    // sum = sum_k (w_k * (21 + 10) + 12 b_k) = 146 * 31 - 108 = 4418 over 2*6*18 values
    assertEquals(4418.0 / 216, s.mean(), 1e-4);
    LayerStats image0 = acts.stats(0).get(0);
    assertEquals(1, image0.batchSize());
    assertEquals(17 * 6 - 1, image0.max(), 1e-4);
    LayerStats flat = acts.get("f").stats();
    assertEquals(1, flat.height());
    assertEquals(18, flat.channels());
  }

  @Test
  void renderAllReportsProgressAndChecksLayersFirst() {
    List<String> seen = new ArrayList<>();
    LayerActivations spatial = new LayerActivations(List.of(acts.get("c"), acts.get("p")));
    List<ActivationGrid> grids = ActivationGrids.renderAll(spatial, 1, GridOptions.defaults(),
        (done, total, layer) -> seen.add(done + "/" + total + " " + layer));
    assertEquals(List.of("1/2 c", "2/2 p"), seen);
    assertEquals(2, grids.size());
    assertEquals(1, grids.get(1).tileHeight());

    seen.clear();
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> ActivationGrids.renderAll(acts, 0,
        GridOptions.defaults(), (done, total, layer) -> seen.add(layer)));
    assertTrue(e.getMessage().contains("'f'"), e.getMessage());
    assertEquals(List.of(), seen, "nothing drawn before the check");
  }

  @Test
  void badOptionsNameTheOption() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> GridOptions.defaults().withImagesPerRow(0));
    assertTrue(e.getMessage().contains("imagesPerRow"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> GridOptions.defaults().withScale(0));
  }

  private static int rgb(BufferedImage img, int y, int x) {
    return img.getRGB(x, y) & 0xffffff;
  }
}
