package dev.convlens.visualize.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import org.junit.jupiter.api.Test;

/** The pointing game on hand-made maps, boxes and masks. */
class PointingGameTest {
  /** 2x2 map, maximum bottom right. Resized to 8x8 (half-pixel centers, clamped) it is 1 on rows and columns 6-7. */
  private static final FloatTensor COARSE = FloatTensor.of(new float[] {0, 0, 0, 1}, 2, 2);

  @Test
  void theMaximumAtImageResolutionMustFallInTheBox() {
    assertTrue(PointingGame.hit(COARSE, 8, 8, new Box(6, 6, 8, 8), 0));
    // The first maximum is (x 6, y 6); the box of x, y < 6 ends at 5: one pixel away on both axes, sqrt(2).
    Box topLeft = new Box(0, 0, 6, 6);
    assertFalse(PointingGame.hit(COARSE, 8, 8, topLeft, 0));
    assertFalse(PointingGame.hit(COARSE, 8, 8, topLeft, 1));
    assertTrue(PointingGame.hit(COARSE, 8, 8, topLeft, 2));
  }

  @Test
  void theToleranceIsEuclidean() {
    float[] m = new float[40 * 40];
    m[20 * 40 + 30] = 1;  // y 20, x 30
    FloatTensor map = FloatTensor.of(m, 40, 40);
    Box box = new Box(0, 0, 19, 9);   // nearest pixel (18, 8): 12 and 12 away, 16.97
    assertFalse(PointingGame.hit(map, 40, 40, box, PointingGame.PAPER_TOLERANCE));
    assertTrue(PointingGame.hit(map, 40, 40, box, 17));
    Box beside = new Box(0, 20, 16, 21);  // (15, 20): 15 away
    assertTrue(PointingGame.hit(map, 40, 40, beside, PointingGame.PAPER_TOLERANCE));
    assertFalse(PointingGame.hit(map, 40, 40, beside, 14));
  }

  @Test
  void aMaskCountsItsPixelsAboveOneHalf() {
    float[] mask = new float[64];
    mask[7 * 8 + 7] = 1;      // (x 7, y 7): sqrt(2) from the first maximum (6, 6)
    assertFalse(PointingGame.hit(COARSE, FloatTensor.of(mask, 8, 8), 1));
    assertTrue(PointingGame.hit(COARSE, FloatTensor.of(mask, 8, 8), 2));
    mask[6 * 8 + 6] = 1;
    assertTrue(PointingGame.hit(COARSE, FloatTensor.of(mask, 8, 8), 0));
    float[] far = new float[64];
    far[0] = 1;
    far[3] = 0.5f;            // not above one half
    assertFalse(PointingGame.hit(COARSE, FloatTensor.of(far, 8, 8), 5));
    assertTrue(PointingGame.hit(COARSE, FloatTensor.of(far, 8, 8), 9));  // (6, 6) to (0, 0): 8.49
    assertFalse(PointingGame.hit(COARSE, FloatTensor.of(far, 8, 8), 8));
  }

  @Test
  void aConstantMapPointsNowhere() {
    FloatTensor flat = FloatTensor.of(new float[] {0.3f, 0.3f, 0.3f, 0.3f}, 2, 2);
    assertFalse(PointingGame.hit(flat, 8, 8, new Box(0, 0, 8, 8), 15));
  }

  @Test
  void theHitRateCarriesAWilsonInterval() {
    Interval r = PointingGame.hitRate(8, 10);
    assertEquals(0.8, r.estimate(), 0);
    assertEquals(IntervalsTest.wilsonLower(8, 10), r.lower(), 1e-9);
    assertEquals(IntervalsTest.wilsonUpper(8, 10), r.upper(), 1e-9);
  }

  @Test
  void boxesOutsideTheImageAreRefused() {
    assertThrows(InvalidInputException.class, () -> new Box(3, 0, 3, 5));
    assertThrows(InvalidInputException.class, () -> PointingGame.hit(COARSE, 8, 8, new Box(0, 0, 9, 8), 0));
    assertThrows(InvalidInputException.class, () -> PointingGame.hit(COARSE, 8, 8, new Box(0, 0, 8, 8), -1));
  }
}
