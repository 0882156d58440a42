package dev.convlens.cli.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.KerasModel;
import dev.convlens.finetune.data.ImageDataset;
import java.awt.Rectangle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The committed demo model (no retraining here) and the generator it was trained on. */
class DemoModelTest {
  /** saved_models/ at the repository root; surefire runs in cli/. */
  static Path committedModel() {
    Path p = Path.of("..", "saved_models", "shapes");
    return Files.isDirectory(p) ? p : Path.of("saved_models", "shapes");
  }

  @Test
  void committedModelIsAccurateAndItsGradCamPointsAtTheObject() {
    try (KerasModel model = KerasModel.load(committedModel())) {
      assertArrayEquals(new long[] {-1, 64, 64, 3}, model.inputShape());
      DemoModel.HeldOut h = DemoModel.heldOut(model, 200);
      assertTrue(h.accuracy() >= 0.95, "held-out accuracy " + h.accuracy());
      assertTrue(h.camInBox() >= 0.9, "Grad-CAM maximum inside the box for " + h.camInBox() + " of 200 images");
    }
  }

  @Test
  void samplesAreDeterministicAndBoxesLieInsideTheImage() {
    for (int i = 0; i < 40; i++) {
      Shapes.Sample a = Shapes.sample(7, i);
      Shapes.Sample b = Shapes.sample(7, i);
      assertArrayEquals(a.image().data(), b.image().data());
      assertEquals(i % 4, a.label());
      Rectangle box = a.box();
      assertTrue(box.x >= 0 && box.y >= 0 && box.x + box.width <= 64 && box.y + box.height <= 64, box.toString());
      assertTrue(box.width >= 16 && box.height >= 10, "object too small: " + box);
      for (float v : a.image().data()) {
        assertTrue(v >= 0 && v <= 255);
      }
    }
    assertFalse(Arrays.equals(Shapes.sample(7, 0).image().data(), Shapes.sample(8, 0).image().data()));
  }

  @Test
  void maxInsideUsesTheMapsLargestValue() {
    float[] map = new float[64 * 64];
    map[10 * 64 + 20] = 1f; // row 10, column 20
    assertTrue(DemoModel.maxInside(map, new Rectangle(20, 10, 1, 1)));
    assertFalse(DemoModel.maxInside(map, new Rectangle(21, 10, 5, 5)));
  }

  @Test
  void generatedDatasetHasOneHotLabelsInClassOrder() {
    ImageDataset d = DemoModel.dataset(3, 0, 8, false, 0);
    assertEquals(Shapes.CLASSES, d.classNames());
    assertEquals(8, d.size());
    float[] y = d.labels(new int[] {0, 1, 2, 3, 5}).data();
    assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0}, y);
    assertArrayEquals(Shapes.sample(3, 5).image().data(), d.image(5, 0).data());
  }
}
