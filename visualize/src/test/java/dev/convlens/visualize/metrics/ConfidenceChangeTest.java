package dev.convlens.visualize.metrics;

import static dev.convlens.visualize.metrics.LinearModel.sigmoid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Average drop and increase in confidence on {@code p = sigmoid(a * sum(x) + b)}, worked out by hand. */
class ConfidenceChangeTest {
  private static final FloatTensor IMAGE = FloatTensor.of(new float[] {1, 2, 3, 4}, 2, 2, 1);
  /** image times map: 1 + 1 + 0 + 1 = 3. */
  private static final FloatTensor MAP = FloatTensor.of(new float[] {1, 0.5f, 0, 0.25f}, 2, 2);

  @Test
  void theMaskedImageIsTheImageTimesTheMap() {
    try (KerasModel m = LinearModel.ofSum(2, 2, 1, 1, -5)) {
      ConfidenceChange c = ConfidenceChange.measure(m, IMAGE, 0, MAP, Cancellation.none());
      double y = sigmoid(5);
      double o = sigmoid(-2);
      assertEquals(y, c.original(), 1e-6);
      assertEquals(o, c.masked(), 1e-6);
      assertEquals((y - o) / y, c.drop(), 1e-6);
      assertFalse(c.increased());
    }
  }

  @Test
  void aRiseCountsAsAnIncreaseAndNoDrop() {
    // p = sigmoid(5 - sum): the masked image (sum 3) scores higher than the image (sum 10).
    try (KerasModel m = LinearModel.ofSum(2, 2, 1, -1, 5)) {
      ConfidenceChange c = ConfidenceChange.measure(m, IMAGE, 0, MAP, Cancellation.none());
      assertEquals(sigmoid(-5), c.original(), 1e-6);
      assertEquals(sigmoid(2), c.masked(), 1e-6);
      assertEquals(0, c.drop(), 0);
      assertTrue(c.increased());
    }
  }

  @Test
  void aCoarseMapScalesEveryPixelItCovers() {
    // A 1x1 map of 0.5 resizes to 0.5 everywhere, on every channel: sum 2 * 21 * 0.5 = 21.
    try (KerasModel m = LinearModel.ofSum(2, 3, 2, 0.1f, 0)) {
      float[] x = new float[12];
      for (int i = 0; i < 12; i++) {
        x[i] = i < 6 ? i + 1 : i - 5;
      }
      ConfidenceChange c = ConfidenceChange.measure(m, FloatTensor.of(x, 2, 3, 2), 0,
          FloatTensor.of(new float[] {0.5f}, 1, 1), Cancellation.none());
      assertEquals(sigmoid(4.2), c.original(), 1e-6);
      assertEquals(sigmoid(2.1), c.masked(), 1e-6);
    }
  }

  @Test
  void averagesOverImages() {
    List<ConfidenceChange> changes = List.of(new ConfidenceChange(0.8, 0.4), new ConfidenceChange(0.5, 0.6),
        new ConfidenceChange(0.9, 0.9), new ConfidenceChange(0.2, 0.1));
    // Drops 0.5, 0, 0, 0.5; one of four increased.
    assertEquals(0.25, ConfidenceChange.averageDrop(changes), 1e-12);
    assertEquals(0.25, ConfidenceChange.increaseRate(changes), 0);
    assertThrows(InvalidInputException.class, () -> ConfidenceChange.averageDrop(List.of()));
  }

  @Test
  void aMapOutsideZeroToOneIsRefusedAndCancellationStops() {
    try (KerasModel m = LinearModel.ofSum(2, 2, 1, 1, 0)) {
      assertTrue(assertThrows(InvalidInputException.class, () -> ConfidenceChange.measure(m, IMAGE, 0,
          FloatTensor.of(new float[] {2, 0, 0, 0}, 2, 2), Cancellation.none())).getMessage().contains("[0, 1]"));
      Cancellation c = Cancellation.token();
      c.cancel();
      assertThrows(CancelledException.class, () -> ConfidenceChange.measure(m, IMAGE, 0, MAP, c));
    }
  }
}
