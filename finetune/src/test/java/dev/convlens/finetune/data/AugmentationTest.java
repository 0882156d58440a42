package dev.convlens.finetune.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  /** A 5x4 two-channel image whose value encodes its position: {@code 100 * row + 10 * col + channel}. */
  static FloatTensor ramp() {
    float[] v = new float[5 * 4 * 2];
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 4; j++) {
        for (int c = 0; c < 2; c++) {
          v[(i * 4 + j) * 2 + c] = 100 * i + 10 * j + c;
        }
      }
    }
    return new FloatTensor(new long[] {5, 4, 2}, v);
  }

  static float at(FloatTensor x, int i, int j, int c) {
    return x.data()[(int) ((i * x.dim(1) + j) * x.dim(2) + c)];
  }

  @Test
  void theIdentityTransformReturnsTheImage() {
    FloatTensor x = ramp();
    assertArrayEquals(x.data(), Augmentation.transform(x, 0, 0, 0, 0, 1, 1, false).data());
    assertSame(x, Augmentation.none().apply(x, 1));
  }

  @Test
  void horizontalFlipMirrorsColumns() {
    FloatTensor y = Augmentation.transform(ramp(), 0, 0, 0, 0, 1, 1, true);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(100 * i + 10 * (3 - j) + 1, at(y, i, j, 1));
      }
    }
  }

  @Test
  void shiftsSampleShiftedPixelsAndFillWithTheNearestEdge() {
    // Keras' tx (height shift) moves along the column axis after its x/y swap: output (i, j) samples (i, j + 1)
    FloatTensor y = Augmentation.transform(ramp(), 0, 1, 0, 0, 1, 1, false);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(100 * i + 10 * Math.min(j + 1, 3), at(y, i, j, 0), "at " + i + "," + j);
      }
    }
    // half a pixel: linear interpolation between neighbours
    FloatTensor half = Augmentation.transform(ramp(), 0, 0, 0.5, 0, 1, 1, false);
    assertEquals(150, at(half, 1, 0, 0), 1e-4);
    assertEquals(420, at(half, 4, 2, 0), 1e-4); // rows 4.5 and 5 clamp to the last row
  }

  @Test
  void aQuarterTurnAboutTheCentreOfASquareImage() {
    float[] v = new float[9];
    for (int k = 0; k < 9; k++) {
      v[k] = k;
    }
    FloatTensor x = new FloatTensor(new long[] {3, 3, 1}, v);
    FloatTensor y = Augmentation.transform(x, Math.PI / 2, 0, 0, 0, 1, 1, false);
    // Keras centres at (h/2 + 0.5, w/2 + 0.5) = (2, 2), not at the middle pixel (1, 1): with its x/y
    // swap, output (i, j) samples input (j, 4 - i), columns clamped to 2 (nearest fill)
    assertArrayEquals(new float[] {2, 5, 8, 2, 5, 8, 2, 5, 8}, y.data(), 1e-4f);
  }

  @Test
  void randomTransformsAreDeterministicPerSeedAndVaryAcrossSeeds() {
    FloatTensor x = ramp();
    Augmentation a = Augmentation.book();
    assertArrayEquals(a.apply(x, 7).data(), a.apply(x, 7).data());
    assertNotEquals(FloatTensor.of(a.apply(x, 7).data(), 5, 4, 2), FloatTensor.of(a.apply(x, 8).data(), 5, 4, 2));
    // nearest fill and linear interpolation never leave the input's range
    for (long seed = 0; seed < 50; seed++) {
      for (float f : a.apply(x, seed).data()) {
        assertTrue(f >= 0 && f <= 431, "value " + f);
      }
    }
  }

  @Test
  void rejectsBadRangesAndShapes() {
    assertThrows(InvalidInputException.class, () -> Augmentation.book().withZoomRange(1.5));
    assertThrows(InvalidInputException.class, () -> Augmentation.book().withRotationRange(-1));
    assertThrows(InvalidInputException.class, () -> Augmentation.book().apply(FloatTensor.of(new float[4], 2, 2), 1));
  }
}
