package dev.convlens.visualize.cam;

import dev.convlens.visualize.render.Resize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.visualize.render.Colormap;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Resizing, normalisation, overlay pixels and argument errors, from values worked out by hand. */
class CamBasicsTest {
  @Test
  void bilinearUpsamplingUsesHalfPixelCentersLikeCv2() {
    // cv2.resize([[0,1],[2,3]], (4,4)): source x of column i is (i+0.5)/2-0.5 = -0.25, 0.25, 0.75, 1.25, clamped.
    float[] out = Resize.bilinear(new float[] {0, 1, 2, 3}, 2, 2, 4, 4);
    assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, java.util.Arrays.copyOfRange(out, 0, 4), 1e-6f);
    assertArrayEquals(new float[] {0.5f, 0.75f, 1.25f, 1.5f}, java.util.Arrays.copyOfRange(out, 4, 8), 1e-6f);
    assertArrayEquals(new float[] {2, 2.25f, 2.75f, 3}, java.util.Arrays.copyOfRange(out, 12, 16), 1e-6f);
  }

  @Test
  void normalisationIsReluOverMaxAndAllNegativeStaysZero() {
    assertArrayEquals(new float[] {0, 0.5f, 1}, Heatmap.normalize(new float[] {-3, 1, 2}));
    assertArrayEquals(new float[] {0, 0, 0}, Heatmap.normalize(new float[] {-3, -1, 0}));
    assertArrayEquals(new float[] {0, 0}, Heatmap.normalize(new float[] {0, 0}));
    assertArrayEquals(new float[] {0, 1}, Heatmap.normalize(new float[] {Float.NaN, 4}));
  }

  @Test
  void overlayAddsFortyPercentOfTheJetColorAndClips() {
    Heatmap hot = new Heatmap(0, 1f, FloatTensor.of(new float[] {1}, 1), FloatTensor.of(new float[] {2}, 1, 1),
        FloatTensor.of(new float[] {1}, 1, 1), FloatTensor.of(new float[] {1}, 1), false, Target.output(0), 1f);
    // Grayscale 100 and 250: jet's top entry is (128, 0, 0) (dark red), 0.4 * 128 = 51.2.
    FloatTensor gray = FloatTensor.of(new float[] {100, 250}, 1, 2, 1);
    BufferedImage img = Overlay.superimpose(gray, hot, Colormap.JET, Overlay.BOOK_ALPHA);
    assertEquals((151 << 16) | (100 << 8) | 100, img.getRGB(0, 0) & 0xffffff);
    assertEquals((255 << 16) | (250 << 8) | 250, img.getRGB(1, 0) & 0xffffff);
    assertThrows(InvalidInputException.class,
        () -> Overlay.superimpose(FloatTensor.of(new float[4], 2, 2), hot, Colormap.JET, 0.4));
  }

  @Test
  void defaultLayerIsTheLastMapBeforeTheClassifierAndBadArgumentsAreNamed() {
    var fixture = FixtureBuilder.functional("small").seed(2).input("image", 12, 12, 1)
        .conv2d("c1", 4, 3, "valid", "relu").conv2d("c2", 4, 3, "valid", "relu").maxPool("pool", 2)
        .flatten("flat").dense("probs", 3, "softmax").build();
    try (KerasModel m = KerasModel.fromConfig(fixture.modelConfig().toString(), fixture.weightSource(), LoadOptions.defaults())) {
      CamExplainer cam = CamExplainer.of(m);
      assertEquals("c2", cam.layer(), "pooling is skipped: the map comes from c2");
      Heatmap h = cam.explain(FloatTensor.of(new float[144], 12, 12, 1)).get(0);
      assertEquals(8, h.height());
      InvalidInputException flat = assertThrows(InvalidInputException.class,
          () -> CamExplainer.of(m, CamOptions.defaults().withLayer("flat")));
      assertTrue(flat.getMessage().contains("flat") && flat.getMessage().contains("4-D"), flat.getMessage());
      InvalidInputException cls = assertThrows(InvalidInputException.class,
          () -> cam.explain(FloatTensor.of(new float[144], 12, 12, 1), new int[] {3}));
      assertTrue(cls.getMessage().contains("0..2"), cls.getMessage());
      assertThrows(InvalidInputException.class, () -> cam.explain(FloatTensor.of(new float[100], 10, 10, 1)));
      assertThrows(InvalidInputException.class, () -> CamMethod.parse("gradcam+++"));
      assertEquals(CamMethod.GRAD_CAM_PLUS_PLUS, CamMethod.parse("gradcam++"));
    }
  }
}
